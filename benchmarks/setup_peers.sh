#!/usr/bin/env bash
# Create the virtual environments of the peers that benchmarks/bench_cycling.py times.
#
#   bash benchmarks/setup_peers.sh            # all peers
#   bash benchmarks/setup_peers.sh navani     # some of them
#
# Each peer gets its own environment under benchmarks/.venv-peers/<peer> (or under
# $ELYTE_PEERS_VENVS), apart from the project's .venv: the peers pin other polars, pandas
# and numpy releases than elyte, and the newest cellpy needs Python >= 3.13. A peer that
# cannot be installed is reported and skipped; the benchmark then skips it too.
#
# Versions are pinned to the ones the published numbers were measured with; change them
# deliberately and rerun the benchmark. Python interpreters can be chosen with
# PYTHON (default python3, for PyProBE and navani) and PYTHON313 (for cellpy; found on
# PATH or through pyenv when unset; without one, cellpy 1.0.3, the last release for
# older Pythons, is installed instead).
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=${ELYTE_PEERS_VENVS:-$here/.venv-peers}
python=${PYTHON:-python3}
mkdir -p "$root"

runs() { "$1" -c 'import sys; assert sys.version_info >= (3, 13)' >/dev/null 2>&1; }

find_python313() {
    if [ -n "${PYTHON313:-}" ]; then echo "$PYTHON313"; return; fi
    local candidate prefix
    for candidate in python3.13 python3.14; do
        # a pyenv shim exists even when that version is not selected: try to run it
        if command -v "$candidate" >/dev/null 2>&1 && runs "$candidate"; then
            command -v "$candidate"; return
        fi
    done
    if command -v pyenv >/dev/null 2>&1; then
        for prefix in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.1[3-9]' | sort -rV); do
            candidate="$(pyenv root)/versions/$prefix/bin/python3"
            if [ -x "$candidate" ] && runs "$candidate"; then echo "$candidate"; return; fi
        done
    fi
}

# make_env NAME PYTHON REQUIREMENT...
make_env() {
    local name=$1 interpreter=$2
    shift 2
    local env="$root/$name" log="$root/$name.log"
    echo "== $name: $* (with $("$interpreter" --version 2>&1))"
    if ! "$interpreter" -m venv --clear "$env" >"$log" 2>&1; then
        echo "   FAILED to create the environment; see $log"; return 1
    fi
    if ! "$env/bin/python" -m pip install --quiet --upgrade pip >>"$log" 2>&1 \
        || ! "$env/bin/python" -m pip install --quiet "$@" >>"$log" 2>&1; then
        echo "   FAILED to install $*; see $log"
        rm -rf "$env"
        return 1
    fi
    echo "   ok: $env"
}

wanted=${*:-cellpy pyprobe navani impedancepy}
status=0
for peer in $wanted; do
    case $peer in
        cellpy)
            py313=$(find_python313)
            if [ -n "$py313" ]; then
                make_env cellpy "$py313" "cellpy==2.1.5.post10" "cellpycore==0.2.6" || status=1
            else
                echo "== cellpy: no Python 3.13 found (set PYTHON313); installing cellpy 1.0.3"
                echo "   note: cellpy 1.0.x has no cellpycore; run_cellpy.py needs cellpy >= 2"
                make_env cellpy "$python" "cellpy==1.0.3" || status=1
            fi
            ;;
        pyprobe)
            make_env pyprobe "$python" "PyProBE-Data==2.6.1" || status=1
            ;;
        navani)
            # navani pins numpy < 2; the benchmark hands it .npz arrays, so no pyarrow
            make_env navani "$python" "navani==0.1.22" || status=1
            ;;
        impedancepy)
            # impedance.py 1.7.1 imports pandas without declaring it
            make_env impedancepy "$python" "impedance==1.7.1" pandas || status=1
            ;;
        *)
            echo "unknown peer: $peer (choose from cellpy pyprobe navani impedancepy)"
            status=1
            ;;
    esac
done
exit $status
