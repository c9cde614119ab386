using System.Runtime.CompilerServices;

namespace TariffLang.Ledgers;

/// <summary>
/// A map from UTF-8 bytes to a value, found without turning the bytes into a string: a worker finds a row's account in
/// one hash and one comparison. Open addressing, grown as keys come (its size follows the distinct keys: the accounts).
/// Not thread-safe: one per worker.
/// </summary>
internal sealed class Utf8Map<TValue>
{
    private byte[]?[] _keys = new byte[]?[256];
    private ulong[] _hashes = new ulong[256];
    private TValue[] _values = new TValue[256];
    private int _count;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryGetValue(ReadOnlySpan<byte> key, ulong hash, out TValue value)
    {
        var mask = _keys.Length - 1;
        for (var i = (int)(hash & (ulong)mask); ; i = (i + 1) & mask)
        {
            var k = _keys[i];
            if (k is null) break;
            if (_hashes[i] == hash && key.SequenceEqual(k))
            {
                value = _values[i];
                return true;
            }
        }
        value = default!;
        return false;
    }

    public void Add(ReadOnlySpan<byte> key, ulong hash, TValue value)
    {
        if ((_count + 1) * 2 > _keys.Length) Grow();
        Insert(key.ToArray(), hash, value);
        _count++;
    }

    private void Insert(byte[] key, ulong hash, TValue value)
    {
        var mask = _keys.Length - 1;
        var i = (int)(hash & (ulong)mask);
        while (_keys[i] is not null) i = (i + 1) & mask;
        _keys[i] = key;
        _hashes[i] = hash;
        _values[i] = value;
    }

    private void Grow()
    {
        var (keys, hashes, values) = (_keys, _hashes, _values);
        _keys = new byte[]?[keys.Length * 2];
        _hashes = new ulong[keys.Length * 2];
        _values = new TValue[keys.Length * 2];
        for (var i = 0; i < keys.Length; i++)
        {
            if (keys[i] is { } k) Insert(k, hashes[i], values[i]);
        }
    }
}
