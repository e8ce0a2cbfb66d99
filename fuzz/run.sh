#!/usr/bin/env bash
# Seed the fuzz corpora from the shared fixtures and run each fuzz target for
# a bounded time, printing executions and crashes per target.
#
#   fuzz/run.sh [SECONDS] [TARGET...]     # default 60 s, every target
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`). Works on a stable toolchain
# through RUSTC_BOOTSTRAP=1; set FUZZ_SANITIZER=none if the ASan runtime is
# missing. Fixtures come from $HORIZON_FIXTURES, else ../shared/fixtures; they
# are copied into fuzz/corpus/<target>/ (git-ignored) and never committed.
# Crashing inputs land in fuzz/artifacts/<target>/.
set -uo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
secs="${1:-60}"
shift || true
all=(feed arxiv_api arxiv_listing trending gcp_notes config query report_html deep_html)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all[@]}")
fixtures="${HORIZON_FIXTURES:-$root/../shared/fixtures}"
sanitizer="${FUZZ_SANITIZER:-address}"
max_len="${FUZZ_MAX_LEN:-65536}"
export RUSTC_BOOTSTRAP=1

if [ ! -d "$fixtures" ]; then
    echo "fixtures folder $fixtures not found (set HORIZON_FIXTURES)" >&2
    exit 2
fi

# copy_seeds TARGET FIXTURE_SUBDIR... : whole files plus, for big ones, a
# slice holding the document head and the first two records (libFuzzer works
# best on small inputs; -max_len truncates the big ones).
copy_seeds() {
    local target="$1"
    shift
    local dir="$here/corpus/$target"
    mkdir -p "$dir"
    for sub in "$@"; do
        for f in "$fixtures/$sub"/*; do
            [ -f "$f" ] || continue
            cp "$f" "$dir/"
            python3 - "$f" "$dir/$(basename "$f").slice" <<'PY'
import re, sys
src, dst = sys.argv[1], sys.argv[2]
data = open(src, "rb").read()
if len(data) <= 48 * 1024:
    sys.exit(0)
for open_tag, close_tag in ((b"<entry", b"</entry>"), (b"<item", b"</item>"), (b"<article", b"</article>")):
    first = data.find(open_tag)
    if first < 0:
        continue
    end = first
    for _ in range(2):
        nxt = data.find(close_tag, end)
        if nxt < 0:
            break
        end = nxt + len(close_tag)
    records = data[first:end]
    if open_tag == b"<article":
        out = b"<!DOCTYPE html><html><body>" + records + b"</body></html>"
    else:
        tail = max(data.rfind(b"</channel>"), data.rfind(b"</feed>"))
        out = data[:first][:16384] + records + (data[tail:] if tail > end else b"")
    open(dst, "wb").write(out)
    break
PY
        done
    done
}

# seed_text TARGET NAME TEXT : one generated seed.
seed_text() {
    mkdir -p "$here/corpus/$1"
    printf '%b' "$3" >"$here/corpus/$1/$2"
}

seed() {
    case "$1" in
    feed) copy_seeds feed blog-feeds cloud-aws cloud-azure arxiv-rss ;;
    arxiv_api) copy_seeds arxiv_api arxiv-api ;;
    arxiv_listing) copy_seeds arxiv_listing arxiv-rss ;;
    trending) copy_seeds trending github-trending ;;
    gcp_notes) copy_seeds gcp_notes cloud-gcp ;;
    deep_html)
        # Recipes (see the target): 20,000 nested <b> around text; 32,640
        # nested <div> with a heading inside; wide siblings; unclosed tags.
        mkdir -p "$here/corpus/deep_html"
        printf '\x0c\x9d\x0b\x01\x0d\x9d' >"$here/corpus/deep_html/nested-b"
        printf '\x04\xff\x52\x01\x03\x05\x05\xff' >"$here/corpus/deep_html/nested-div-heading"
        printf '\x06\xff\x1e\x40' >"$here/corpus/deep_html/wide"
        printf '\x24\xff\x2c\xff\x03\x10' >"$here/corpus/deep_html/unclosed"
        ;;
    config)
        mkdir -p "$here/corpus/config"
        cp "$root/sources.toml" "$here/corpus/config/sources.toml"
        seed_text config minimal '[[sources]]\nname = "a"\nkind = "feed"\nurl = "http://127.0.0.1:9/f"\n'
        seed_text config hosts '[settings]\nper_host_interval = "0ms"\n[settings.hosts."export.arxiv.org"]\ninterval = "1s"\nconcurrency = 2\n'
        seed_text config topic '[[topics]]\nname = "db"\nkeywords = ["postgres"]\nsystems = ["Kafka"]\naliases = { Kafka = ["MSK"] }\n[[sources]]\nname = "x"\nkind = "arxiv"\nmode = "listing"\ncategories = ["cs.DC"]\ntopics = ["db"]\n'
        ;;
    query)
        local i=0 q
        for q in 'kafka AND "tiered storage"' 'title:(kafka' 'title:postgres -author:smith' \
            'stage:ga OR stage:preview' 'date:[2026-01-01T00:00:00Z TO *]' '-preview' \
            'topic:databases AND (flink OR "stream processing")' 'foo:bar' '"unbalanced' \
            'kafka AND' 'product:"Cloud SQL"^2' 'id:arxiv:2401.00001' '*' 'summary:éxactly~1'; do
            i=$((i + 1))
            seed_text query "q$i" "$q"
        done
        ;;
    report_html)
        mkdir -p "$here/corpus/report_html"
        local i=0 r
        local us=$'\x1f' esc=$'\x1b' bel=$'\a' rlo=$'\u202e'
        for r in "<script>alert(1)</script>${us}summary <b>bold</b>${us}javascript:alert(1)${us}src\"><svg onload=alert(1)>" \
            "Title${us}<img src=x onerror=alert(1)>${us}https://example.org/a?b=\"c\"&d=<e>${us}blog" \
            "x${esc}[2Jy${us}${rlo}txet${us}data:text/html,<script>${us}${bel}bell${us}${esc}]8;;https://e.org${bel}link${esc}]8;;${bel}" \
            "<a href=\"javascript:x\">l</a>${us}<style>body{background:url(javascript:x)}</style>${us}  JaVaScRiPt:alert(1)${us}expression(alert(1))" \
            "<!-- c -->${us}]]><iframe src=//e>${us}https://user:pw@example.org:8080/p#f${us}</ul></li><object>" \
            "a](javascript:alert(1))${us}[x](javascript:y)${us}mailto:a@b.c${us}\\<script"; do
            i=$((i + 1))
            printf '%s' "$r" >"$here/corpus/report_html/r$i"
        done
        ;;
    *)
        echo "unknown target $1 (targets: ${all[*]})" >&2
        return 2
        ;;
    esac
}

status=0
printf '%-14s %8s %12s %10s %8s %s\n' target seconds executions exec/s crashes corpus
for t in "${targets[@]}"; do
    seed "$t" || { status=2; continue; }
    log="$here/artifacts/$t.log"
    mkdir -p "$here/artifacts/$t"
    before=$(find "$here/artifacts/$t" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
    start=$(date +%s)
    (cd "$here" && cargo fuzz run -s "$sanitizer" -O "$t" "corpus/$t" -- \
        -max_total_time="$secs" -max_len="$max_len" -timeout=20 -rss_limit_mb=4096 \
        -print_final_stats=1) >"$log" 2>&1
    rc=$?
    took=$(($(date +%s) - start))
    after=$(find "$here/artifacts/$t" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    corpus=$(find "$here/corpus/$t" -type f | wc -l)
    printf '%-14s %8s %12s %10s %8s %s\n' "$t" "$took" "${execs:-?}" "${rate:-?}" "$((after - before))" "$corpus"
    if [ "$rc" -ne 0 ]; then
        status=1
        echo "  $t stopped with status $rc; see $log" >&2
        grep -E 'panicked at|ERROR: libFuzzer|SUMMARY|Test unit written' "$log" | head -5 | sed 's/^/  /' >&2
    fi
done
exit "$status"
