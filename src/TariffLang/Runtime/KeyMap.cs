using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace TariffLang.Runtime;

/// <summary>
/// A map from keys (a counter's site, a window's contact, a distinct count's values) to values. Keys are nearly always
/// texts: those live in a <see cref="Dictionary{TKey,TValue}"/> of strings with the ordinal comparer, which .NET hashes
/// fast and switches to a randomized hash by itself if a ledger were crafted to make keys collide. Any other key (a
/// number, a time…) moves the map to <see cref="ValueKeyComparer"/> keys for good; the none key has a slot of its own.
/// Keys are equal as <see cref="ValueKeyComparer"/> says, whichever way they are stored.
/// </summary>
internal sealed class KeyMap<TValue>
{
    private Dictionary<string, TValue>? _texts = new(StringComparer.Ordinal);
    private Dictionary<Value, TValue>? _values;
    private bool _hasNone;
    private TValue _none = default!;

    public int Count => (_texts?.Count ?? _values!.Count) + (_hasNone ? 1 : 0);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryGetValue(in Value key, out TValue value)
    {
        if (key.Kind == ValueKind.None)
        {
            value = _none;
            return _hasNone;
        }
        if (_texts is not null)
        {
            if (key.Kind == ValueKind.Text) return _texts.TryGetValue(key.Text, out value!);
            value = default!;
            return false;
        }
        return _values!.TryGetValue(key, out value!);
    }

    /// <summary>The value stored under a key, added as default when absent (<paramref name="existed"/> says which).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ref TValue GetValueRefOrAddDefault(in Value key, out bool existed)
    {
        if (key.Kind == ValueKind.None)
        {
            existed = _hasNone;
            _hasNone = true;
            return ref _none;
        }
        if (_texts is not null && key.Kind != ValueKind.Text) ToValues();
        if (_texts is not null) return ref CollectionsMarshal.GetValueRefOrAddDefault(_texts, key.Text, out existed)!;
        return ref CollectionsMarshal.GetValueRefOrAddDefault(_values!, key, out existed)!;
    }

    public void Set(in Value key, TValue value) => GetValueRefOrAddDefault(key, out _) = value;

    public bool Remove(in Value key)
    {
        if (key.Kind == ValueKind.None)
        {
            var had = _hasNone;
            _hasNone = false;
            _none = default!;
            return had;
        }
        if (_texts is not null) return key.Kind == ValueKind.Text && _texts.Remove(key.Text);
        return _values!.Remove(key);
    }

    public void Clear()
    {
        _texts?.Clear();
        _values?.Clear();
        _hasNone = false;
        _none = default!;
    }

    public IEnumerable<KeyValuePair<Value, TValue>> Pairs
    {
        get
        {
            if (_hasNone) yield return new(Value.None, _none);
            if (_texts is not null)
            {
                foreach (var (key, value) in _texts) yield return new(Value.FromText(key), value);
            }
            else
            {
                foreach (var pair in _values!) yield return pair;
            }
        }
    }

    public IEnumerable<TValue> Values
    {
        get
        {
            if (_hasNone) yield return _none;
            if (_texts is not null)
            {
                foreach (var value in _texts.Values) yield return value;
            }
            else
            {
                foreach (var value in _values!.Values) yield return value;
            }
        }
    }

    /// <summary>A key that is not a text: from now on every key is kept as a value.</summary>
    private void ToValues()
    {
        _values = new Dictionary<Value, TValue>(ValueKeyComparer.Instance);
        foreach (var (key, value) in _texts!) _values[Value.FromText(key)] = value;
        _texts = null;
    }
}
