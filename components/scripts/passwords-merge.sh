# Idempotent: mergepwd keeps every value already set, genpwd fills blanks only, the overrides are re-applied.
[ -s "$OVERRIDES" ] || { echo "passwords-merge: $OVERRIDES is missing" >&2; exit 1; }
umask 077
export VIRTUAL_ENV="$VENV" PATH="$VENV/bin:$PATH"
if [ -f "$PASSWORDS" ]; then
    # kolla's upgrade procedure: the release's example supplies any key it added (blank), every existing value wins.
    "$VENV/bin/kolla-mergepwd" --old "$PASSWORDS" --new "$EXAMPLE" --final "$PASSWORDS.new"
    mv -f "$PASSWORDS.new" "$PASSWORDS"
else
    install -m 0600 "$EXAMPLE" "$PASSWORDS"
fi
"$VENV/bin/kolla-genpwd" -p "$PASSWORDS"
"$VENV/bin/kolla-mergepwd" --old "$OVERRIDES" --new "$PASSWORDS" --final "$PASSWORDS"
chmod 0600 "$PASSWORDS"
echo "passwords-merge: $PASSWORDS holds $(grep -c ':' "$PASSWORDS") keys"
