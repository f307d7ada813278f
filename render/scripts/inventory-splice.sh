# Writes OUT = TOP + the service groups of SHIPPED (from MARKER on). Atomic; same inputs give the same file.
[ -s "$TOP" ] || { echo "inventory-splice: $TOP is missing" >&2; exit 1; }
[ -s "$SHIPPED" ] || { echo "inventory-splice: $SHIPPED is missing (is kolla-ansible installed?)" >&2; exit 1; }
# The deploy host's lock lives in its state dir, beside TOP: the script touches nothing outside TOP, SHIPPED, OUT.
LOCK_FILE=$(dirname "$TOP")/deploy.lock
hold_deploy_lock inventory-splice
# Not a local: the EXIT trap may run after main's locals are gone.
SPLICE_TMP=$(mktemp "${OUT}.XXXXXX")
trap 'rm -f "$SPLICE_TMP"' EXIT
{
    printf '%s\n\n' "$(cat "$TOP")"
    printf '%s\n' "$(awk -v marker="$MARKER" 'found || $0 == marker { found = 1; print }' "$SHIPPED")"
} > "$SPLICE_TMP"
grep -qxF "$MARKER" "$SPLICE_TMP" || { echo "inventory-splice: $SHIPPED has no $MARKER section" >&2; exit 1; }
chmod 0644 "$SPLICE_TMP"
mv -f "$SPLICE_TMP" "$OUT"
trap - EXIT
echo "inventory-splice: wrote $OUT ($(grep -c '^\[' "$OUT") groups)"
