# passwords.yml, never rewritten in place: the release's example merged beneath the existing values (kolla's upgrade
# procedure), blanks generated, the stack's overrides applied, all in a work directory beside it. The result
# replaces passwords.yml by rename only if it keeps every key and every value (except the overrides'), after a
# dated 0600 backup. An interrupted run leaves passwords.yml as it was; the next run starts again from it.
[ -s "$OVERRIDES" ] || { echo "passwords-merge: $OVERRIDES is missing" >&2; exit 1; }
umask 077
export VIRTUAL_ENV="$VENV" PATH="$VENV/bin:$PATH"
hold_deploy_lock passwords-merge
# Not a local: the EXIT trap may run after main's locals are gone.
PASSWORDS_WORK=$(mktemp -d "$(dirname "$PASSWORDS")/.passwords-merge.XXXXXX")
trap 'rm -rf "$PASSWORDS_WORK"' EXIT
local merged=$PASSWORDS_WORK/merged.yml final=$PASSWORDS_WORK/final.yml backup
if [ -f "$PASSWORDS" ]; then
    kolla-mergepwd --old "$PASSWORDS" --new "$EXAMPLE" --final "$merged"
else
    cp "$EXAMPLE" "$merged"
fi
kolla-genpwd -p "$merged"
kolla-mergepwd --old "$OVERRIDES" --new "$merged" --final "$final"
if [ -f "$PASSWORDS" ]; then
    # Names only, never values: this output reaches Pulumi.
    "$VENV/bin/python3" - "$PASSWORDS" "$final" "$OVERRIDES" <<'PY' || { echo "passwords-merge: refusing to replace $PASSWORDS (kept as it is; the new file is not written)" >&2; exit 1; }
import sys, yaml
old, new, overrides = (yaml.safe_load(open(f)) or {} for f in sys.argv[1:4])
lost = sorted(k for k in old if k not in new)
changed = sorted(k for k, v in old.items() if k in new and k not in overrides and v not in (None, "") and new[k] != v)
if lost or changed:
    if lost: print("passwords-merge: would lose %d keys: %s" % (len(lost), ", ".join(lost)), file=sys.stderr)
    if changed: print("passwords-merge: would change %d existing values: %s" % (len(changed), ", ".join(changed)), file=sys.stderr)
    sys.exit(1)
PY
    if cmp -s "$final" "$PASSWORDS"; then
        echo "passwords-merge: $PASSWORDS unchanged ($(grep -c ':' "$PASSWORDS") keys)"
        return 0
    fi
    backup=$PASSWORDS.$(date +%Y%m%dT%H%M%S).bak
    cp -p "$PASSWORDS" "$backup"
    chmod 0600 "$backup"
    echo "passwords-merge: previous file kept as $backup"
fi
chmod 0600 "$final"
mv -f "$final" "$PASSWORDS"
echo "passwords-merge: $PASSWORDS holds $(grep -c ':' "$PASSWORDS") keys"
