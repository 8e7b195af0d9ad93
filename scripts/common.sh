# Sourced by the test and build scripts (scripts/test-*.sh, build-wasm.sh);
# not run on its own.
#
# stdin: no step reads the caller's terminal or pipe; every one gets an empty
# pipe.
#
# /dev/null: some sandboxes (this project's CI among them) provide /dev/null
# as a regular file, so what one process writes there the next one reads
# back. cargo runs its rustc probes (`rustc - --print=file-names ...`) with
# stdin from /dev/null: after a build whose feature probes sent compiler
# errors there, the next probe (a new target, profile or tool) compiles those
# errors and cargo fails with "unknown start of token". On such a machine
# `with_empty_null` empties the file before a command that starts cargo
# (`cargo` and `npx` are wrapped here; maturin calls go through it); on a real
# device it does nothing.
exec < <(:)

with_empty_null() {
  if [ ! -c /dev/null ]; then : > /dev/null; fi
  "$@"
}
cargo() { with_empty_null command cargo "$@"; }
npx() { with_empty_null command npx "$@"; }
if [ ! -c /dev/null ]; then
  echo "note: /dev/null is a $(stat -c %F /dev/null) here, not a device; it is emptied before each cargo step" >&2
fi

# The repository, and one target/ shared by cargo, maturin and napi.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TERM_COLOR=never
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
PYTHON="${PYTHON:-python3}"

# need_cargo_fuzz: cargo-fuzz for the nightly toolchain (scripts/fuzz*.sh),
# installed with `cargo install --locked cargo-fuzz` when missing.
need_cargo_fuzz() {
  if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    echo "cargo-fuzz is missing: cargo install --locked cargo-fuzz" >&2
    cargo install --locked cargo-fuzz >&2
  fi
}

# use_host_triple: native builds name the host's target triple
# (CARGO_BUILD_TARGET), as `napi build` always does. Cargo keeps a build with
# an explicit --target apart from one without (target/<triple>/ against
# target/), so without this the Node addon would build every dependency a
# second time. Called by the test scripts; NATIVE is where their native
# artifacts land ($NATIVE/debug/flamekit).
use_host_triple() {
  CARGO_BUILD_TARGET="${CARGO_BUILD_TARGET:-$(rustc -vV | sed -n 's/^host: //p')}"
  export CARGO_BUILD_TARGET
  NATIVE="$CARGO_TARGET_DIR/$CARGO_BUILD_TARGET"
}

# make_venv DIR [PIP-INSTALL-ARGS...]: a venv at DIR unless there is one
# (Debian's python3 ships venv's ensurepip separately: apt installs it when
# missing), then `pip install` of the arguments, if any.
make_venv() {
  local dir=$1
  shift
  if [ ! -x "$dir/bin/python" ]; then
    if ! "$PYTHON" -m venv "$dir"; then
      rm -rf "$dir"
      apt-get update -qq
      apt-get install -y -qq python3-venv
      "$PYTHON" -m venv "$dir"
    fi
  fi
  if [ $# -gt 0 ]; then
    "$dir/bin/python" -m pip install -q --disable-pip-version-check "$@"
  fi
}
