# Shared paths for the scripts. Sourced, never run.
# Tools live outside the work tree so that every clone reuses them (setup is idempotent).
MM_TOOLS="${MM_TOOLS:-${XDG_DATA_HOME:-$HOME/.local/share}/model-monitor}"
MM_VENV="${MM_VENV:-$MM_TOOLS/venv}"
MM_RUN_DIR="${MM_RUN_DIR:-${TMPDIR:-/tmp}/model-monitor-services}"
export MM_TOOLS MM_VENV MM_RUN_DIR

# The Go toolchain FerretDB needs (>= 1.22); Debian's /usr/bin/go is 1.19.
mm_find_go() {
  local c
  for c in "${GO:-}" /usr/local/go/bin/go "$(command -v go 2>/dev/null)" "$HOME/go/bin/go" "$HOME/sdk/go/bin/go"; do
    [[ -n "$c" && -x "$c" ]] || continue
    local v
    v="$("$c" env GOVERSION 2>/dev/null | sed 's/^go//')"
    local major="${v%%.*}" rest="${v#*.}"
    local minor="${rest%%.*}"
    if [[ "$major" -gt 1 || ("$major" -eq 1 && "$minor" -ge 22) ]]; then
      echo "$c"
      return 0
    fi
  done
  return 1
}
