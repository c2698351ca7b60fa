#!/usr/bin/env bash
# Replay throughput and memory against zcat on the same corpus, then the Go
# benchmarks (MB/s via b.SetBytes).
#   BENCH_SIZE_MB=256 (default) sizes the corpus, which is generated once
#   into .bench/corpus-<size>mb and reused.
#   BENCH_GO=0 skips the Go benchmarks (replay vs zcat only).
set -euo pipefail
cd "$(dirname "$0")/.."

size=${BENCH_SIZE_MB:-256}
dir=.bench/corpus-${size}mb
bin=.bench/ctap
mkdir -p .bench

echo "--- building ctap"
go build -trimpath -o "${bin}" ./lambda/cmd/ctap

if [[ ! -f ${dir}/.complete ]]; then
  echo "--- generating a ${size} MiB corpus in ${dir} (once; reused later)"
  rm -rf "${dir}"
  "${bin}" gen --out "${dir}" --accounts 4 --days 2 --scenario all --seed 1 --size-mb "${size}"
  touch "${dir}/.complete"
fi

files=$(find "${dir}" -name '*.json.gz' -path '*/CloudTrail/*' | wc -l)
gz_bytes=$(find "${dir}" -name '*.json.gz' -path '*/CloudTrail/*' -print0 | du -cb --files0-from=- | tail -1 | cut -f1)
raw_bytes=$(find "${dir}" -name '*.json.gz' -path '*/CloudTrail/*' -print0 | xargs -0 zcat | wc -c)
echo "corpus: ${files} event files, $((gz_bytes >> 20)) MiB gzipped, $((raw_bytes >> 20)) MiB uncompressed; $(nproc) CPUs"

# Warm the page cache so that neither timing pays for the disk.
find "${dir}" -name '*.json.gz' -print0 | xargs -0 cat >/dev/null

now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%.6f\", $1 }"; }

echo "--- zcat"
t0=$(now)
find "${dir}" -name '*.json.gz' -path '*/CloudTrail/*' -print0 | xargs -0 zcat >/dev/null
t1=$(now)
zcat_s=$(calc "${t1} - ${t0}")

echo "--- ctap replay"
tmp=$(mktemp -d)
trap 'rm -rf "${tmp}"' EXIT
timecmd=()
if [[ -x /usr/bin/time ]] && /usr/bin/time -f %M true 2>/dev/null; then
  timecmd=(/usr/bin/time -f '%M' -o "${tmp}/rss")
fi
t0=$(now)
"${timecmd[@]}" "${bin}" replay --format ndjson "${dir}" >"${tmp}/findings.ndjson" 2>"${tmp}/summary"
t1=$(now)
replay_s=$(calc "${t1} - ${t0}")
sed 's/^/    /' "${tmp}/summary"

if [[ -s ${tmp}/rss ]]; then
  rss_mb=$(calc "$(tail -1 "${tmp}/rss") / 1024")
  rss_src="/usr/bin/time"
else
  # ctap reports its own getrusage peak in the summary line.
  rss_mb=$(grep -o 'peak RSS [0-9.]* [KMG]iB' "${tmp}/summary" | awk '{v=$3; u=$4; if (u=="GiB") v*=1024; if (u=="KiB") v/=1024; print v}')
  rss_src="getrusage (ctap)"
fi

ratio=$(calc "${replay_s} / ${zcat_s}")
echo
printf 'zcat wall time:        %8.2f s  (%.0f MB/s uncompressed)\n' "${zcat_s}" "$(calc "${raw_bytes} / 1000000 / ${zcat_s}")"
printf 'ctap replay wall time: %8.2f s  (%.0f MB/s uncompressed)\n' "${replay_s}" "$(calc "${raw_bytes} / 1000000 / ${replay_s}")"
printf 'ratio replay/zcat:     %8.2f    (target <= 1.5)\n' "${ratio}"
printf 'peak RSS of replay:    %8.1f MiB (target <= 128; from %s)\n' "${rss_mb}" "${rss_src}"
printf 'findings:              %8d\n' "$(wc -l <"${tmp}/findings.ndjson")"

if [[ ${BENCH_GO:-1} == 0 ]]; then exit 0; fi
echo
echo "--- go benchmarks"
mapfile -t pkgs < <(grep -rl --include='*_test.go' '^func Benchmark' lambda | xargs -n1 dirname | sort -u | sed 's|^|./|')
go test -run='^$' -bench=. -benchmem "${pkgs[@]}"
