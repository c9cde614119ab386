#!/usr/bin/env bash
# The end-to-end benchmark in one command (see docs/performance.md): builds the solution in Release, then runs
# `tariff-bench run` with the options given. Examples:
#   bash benchmarks/run.sh                                    # 1M, 5M and 10M rows of each tariff, 3 rounds
#   bash benchmarks/run.sh --rows 200k --runs 5               # a quick look
#   bash benchmarks/run.sh --rows 5M --tariffs calendoc --contestants compiled,baseline,duckdb
# Ledgers go to benchmarks/data/ (git-ignored) and are reused by later runs with the same size and seed.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# Peak memory comes from /usr/bin/time (Debian package `time`), which a fresh machine may lack. Without it the
# harness still runs, sampling the peak from /proc, and says so in its report.
if [ ! -x /usr/bin/time ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "== installing the Debian package 'time' (exact peak memory)"
    apt-get install -y -qq time >/dev/null 2>&1 \
      || { apt-get update -qq >/dev/null && apt-get install -y -qq time >/dev/null; } \
      || echo "could not install 'time': peak memory will be sampled from /proc"
  else
    echo "no /usr/bin/time: peak memory will be sampled from /proc (install the package 'time' for exact figures)"
  fi
fi

echo "== build (Release)"
dotnet build TariffLang.sln -c Release -v quiet -nologo

# The tool is measured as users run it: published for this machine's runtime, compiled ahead of time (ReadyToRun).
echo "== publish the tariff tool (ReadyToRun) to benchmarks/tool"
rid="$(dotnet --info | sed -n 's/^ *RID: *//p' | head -n 1)"
dotnet publish src/TariffLang.Cli -c Release -r "${rid:-linux-x64}" -o benchmarks/tool -v quiet -nologo

echo "== benchmark"
exec dotnet benchmarks/TariffLang.Bench/bin/Release/net10.0/tariff-bench.dll run "$@"
