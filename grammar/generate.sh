#!/usr/bin/env bash
# Regenerates the committed C# parser from Tariff.g4 with the pinned antlr-ng.
# Usage: grammar/generate.sh [OUTDIR]   (default: src/TariffLang/Syntax/Generated)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
out="${1:-$root/src/TariffLang/Syntax/Generated}"
cd "$here"
[ -x node_modules/.bin/antlr-ng ] || npm ci --no-audit --no-fund --silent
rm -rf "$out"
mkdir -p "$out"
node_modules/.bin/antlr-ng -Dlanguage=CSharp -v true -l false -p TariffLang.Syntax.Generated -o "$out" Tariff.g4
# antlr-ng writes helper files we do not compile; keep only the C# sources.
find "$out" -type f ! -name '*.cs' -delete
# The parser is an implementation detail of the library: make the generated types internal.
sed -i -E 's/^public (partial |interface |abstract )?/internal \1/; s/^(\[[^]]*\] *)?public (partial class|interface)/\1internal \2/' "$out"/*.cs
# antlr-ng marks its types [CLSCompliant(false)] without an assembly-level attribute (CS3021).
printf 'root = false\n\n[*.cs]\ngenerated_code = true\ndotnet_diagnostic.CS3021.severity = none\n' > "$out/.editorconfig"
