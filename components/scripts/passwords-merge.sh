# Idempotent: genpwd fills blanks only, mergepwd re-applies the same overrides.
[ -s "$OVERRIDES" ] || { echo "passwords-merge: $OVERRIDES is missing" >&2; exit 1; }
if [ ! -f "$PASSWORDS" ]; then
    install -m 0600 "$EXAMPLE" "$PASSWORDS"
fi
"$VENV/bin/kolla-genpwd" -p "$PASSWORDS"
"$VENV/bin/kolla-mergepwd" --old "$OVERRIDES" --new "$PASSWORDS" --final "$PASSWORDS"
chmod 0600 "$PASSWORDS"
echo "passwords-merge: $PASSWORDS holds $(grep -c ':' "$PASSWORDS") keys"
