#!/usr/bin/env bash
# Fails when the kernel objects, taken together, need a symbol that no kernel object defines
# and that is not one of the runtime symbols we knowingly take from libgcc (docs/style.md, "Freestanding C++").
set -euo pipefail
allow="$(dirname "$0")/undefined-allowlist.txt"
undefined=$(nm -u "$@" 2>/dev/null | awk 'NF==2 && $1=="U" {print $2}' | sort -u)
# Symbols the linker script defines (__kernel_end, __ktests_start, ...) count as defined.
script="$(dirname "$0")/../arch/x86_64/linker.ld"
defined=$( { nm --defined-only "$@" 2>/dev/null | awk 'NF==3 {print $3}';
             grep -oE '^[[:space:]]*[A-Za-z_][A-Za-z0-9_]*[[:space:]]*=' "$script" | tr -d ' =\t'; } | sort -u)
external=$(comm -23 <(echo "$undefined") <(echo "$defined"))
allowed=$(grep -v '^#' "$allow" | sed '/^$/d' | sort -u)
bad=$(comm -23 <(echo "$external" | sed '/^$/d') <(echo "$allowed"))
if [[ -n $bad ]]; then
    echo "symbols-check: kernel objects need symbols outside the allowlist ($allow):" >&2
    echo "$bad" | sed 's/^/  /' >&2
    exit 1
fi
echo "  SYMS    ok ($(echo "$external" | sed '/^$/d' | wc -l) external runtime symbols, all allowed)"
