# Serves IMAGES_DIR over HTTP on PORT at each of ADDRESSES for LIFETIME seconds, long enough for the OpenStack
# provider to upload the amphora into Glance, then stops by itself. The server is Ubuntu's own python3 (http.server,
# threaded since Python 3.7; --directory since 3.7, --bind one address), so no container image is pulled for it. It
# runs as a transient systemd unit under a dynamic user (systemd.exec DynamicUser=: a read-only view of the system,
# no home, no privileges); --collect unloads the unit once it has stopped, whatever its exit (systemd-run(1)).
# create (and update): stops every earlier window, starts this build's and waits until our own unit serves SERVED.
# delete: stops this build's window, if it still runs. The command is replaced delete-first, so a delete never stops
# a window its replacement opened.
local mode=${1:-create} unit i=0
stop_units() {
    local u
    # --plain drops the status glyph: the unit name is the first field.
    for u in $(systemctl list-units --all --plain --no-legend --type=service "$1" | awk '{print $1}'); do
        sudo systemctl stop "$u" || true
    done
}
if [ "$mode" = delete ]; then
    stop_units "$UNIT-*"
    exit 0
fi
[ -f "$IMAGES_DIR/$SERVED" ] || { echo "image-server: $IMAGES_DIR/$SERVED is missing; the amphora build did not finish" >&2; exit 1; }
# A Docker-published port passes ufw; a host process does not. The upload reads this port from the machine running
# Pulumi, so an active ufw without a rule for it would fail there, far from the cause.
# The status is read whole first: `grep -q` stops reading at its match, and under pipefail the writer's SIGPIPE
# would make a matching pipeline fail.
local firewall=""
! command -v ufw >/dev/null || firewall=$(sudo ufw status 2>/dev/null || true)
if grep -q '^Status: active' <<<"$firewall" && ! grep -Eq "^$PORT(/tcp)?[[:space:]].*ALLOW" <<<"$firewall"; then
    echo "image-server: ufw is active on the deploy host and has no rule for port $PORT; the OpenStack provider downloads the amphora from it: allow it, e.g. sudo ufw allow proto tcp from <the machine running Pulumi> to any port $PORT" >&2
    exit 1
fi
# A window of an earlier build, or of this one from an interrupted run.
stop_units "$UNIT_PREFIX-*"
# Anything else on the port would answer in our place (python would fail to bind, and --collect unload its unit).
for address in "${ADDRESSES[@]}"; do
    # shellcheck disable=SC2016 # $1 and $2 are the inner shell's arguments
    if timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$address" "$PORT" 2>/dev/null; then
        echo "image-server: something already listens on $address:$PORT (see: sudo ss -ltnp 'sport = :$PORT'); stop it, the amphora is served there" >&2
        exit 1
    fi
done
for address in "${ADDRESSES[@]}"; do
    i=$((i + 1))
    sudo systemd-run --quiet --collect --unit "$UNIT-$i" \
        --property DynamicUser=yes --property RuntimeMaxSec="$LIFETIME" \
        /usr/bin/python3 -m http.server "$PORT" --bind "$address" --directory "$IMAGES_DIR"
done
i=0
for address in "${ADDRESSES[@]}"; do
    i=$((i + 1))
    unit="$UNIT-$i"
    local attempt=0 status=
    # Direct, whatever http_proxy the session has; and our own unit must still be running.
    until status=$(curl -sS --noproxy '*' -o /dev/null -w '%{http_code}' --head "http://$address:$PORT/$SERVED") \
        && [ "$status" = 200 ] && systemctl is-active --quiet "$unit"; do
        attempt=$((attempt + 1))
        if [ "$attempt" -ge 30 ]; then
            echo "image-server: http://$address:$PORT/$SERVED answers ${status:-nothing} (unit $unit $(systemctl is-active "$unit" || true)); see: sudo journalctl -u '$unit'" >&2
            exit 1
        fi
        sleep 1
    done
    echo "image-server: serving http://$address:$PORT/$SERVED for $LIFETIME s" >&2
done
echo "$SERVED"
