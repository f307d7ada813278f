# passwords.yml, never rewritten in place: the release's example merged beneath the existing values (kolla's upgrade
# procedure), blanks generated, the stack's overrides applied, all in a work directory beside it. The result
# replaces passwords.yml by rename only if it keeps every key and every value (except the overrides'), after a
# dated 0600 backup. An interrupted run leaves passwords.yml as it was; the next run starts again from it.
# $1 = create | update. stdout is passwords.yml itself, whole: Pulumi keeps it as the stack's encrypted copy (the
# command's stdout is a secret output, never logged); everything else goes to stderr.
local mode=${1:-create}
[ -s "$OVERRIDES" ] || { echo "passwords-merge: $OVERRIDES is missing" >&2; exit 1; }
umask 077
export VIRTUAL_ENV="$VENV" PATH="$VENV/bin:$PATH"
hop_guard
hold_deploy_lock passwords-merge
# A passwords.yml lost while the cloud exists (a re-installed deploy host, a deleted file) must not be generated anew:
# kolla would reconfigure every service with new database and RabbitMQ passwords the running cloud does not know.
# The cloud exists when this host deployed it (the marker), or when this command ran before (an update: Pulumi keeps
# the copy of the file it printed then, whatever happened to the host since).
if [ ! -f "$PASSWORDS" ] && { [ "$mode" = update ] || [ -f "$DEPLOYED_MARKER" ]; }; then
    echo "passwords-merge: $PASSWORDS is missing on $(hostname), but this stack's cloud exists ($([ -f "$DEPLOYED_MARKER" ] && echo "$DEPLOYED_MARKER records release $(cat "$DEPLOYED_MARKER")" || echo "this command made it before: the stack keeps a copy")); new passwords would lock kolla out of its own databases and queues, so none are generated. Restore the stack's copy, then run pulumi up again: pulumi stack output kollaPasswords --show-secrets | ssh $(id -un)@$(hostname) 'umask 077 && cat > $PASSWORDS'. (Only if the cloud is gone, e.g. torn down by kolla-teardown.sh, start afresh with: pulumi up --replace on this command, deploy-host-passwords.)" >&2
    exit 1
fi
# Not a local: the EXIT trap may run after main's locals are gone.
PASSWORDS_WORK=$(mktemp -d "$(dirname "$PASSWORDS")/.passwords-merge.XXXXXX")
trap 'rm -rf "$PASSWORDS_WORK"' EXIT
local merged=$PASSWORDS_WORK/merged.yml final=$PASSWORDS_WORK/final.yml backup
if [ -f "$PASSWORDS" ]; then
    kolla-mergepwd --old "$PASSWORDS" --new "$EXAMPLE" --final "$merged" >&2
else
    cp "$EXAMPLE" "$merged"
fi
kolla-genpwd -p "$merged" >&2
kolla-mergepwd --old "$OVERRIDES" --new "$merged" --final "$final" >&2
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
        echo "passwords-merge: $PASSWORDS unchanged ($(grep -c ':' "$PASSWORDS") keys)" >&2
        cat "$PASSWORDS"
        return 0
    fi
    backup=$PASSWORDS.$(date +%Y%m%dT%H%M%S).bak
    cp -p "$PASSWORDS" "$backup"
    chmod 0600 "$backup"
    echo "passwords-merge: previous file kept as $backup" >&2
fi
chmod 0600 "$final"
mv -f "$final" "$PASSWORDS"
echo "passwords-merge: $PASSWORDS holds $(grep -c ':' "$PASSWORDS") keys" >&2
cat "$PASSWORDS"
