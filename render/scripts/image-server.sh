# Serves IMAGES_DIR over HTTP on PORT at each of ADDRESSES for LIFETIME seconds, long enough for the OpenStack
# provider to upload the amphora into Glance, then stops by itself. The server is Ubuntu's own python3 (http.server,
# threaded since Python 3.7; --directory since 3.7, --bind one address), so no container image is pulled for it. It
# runs as a transient systemd unit under a dynamic user (systemd.exec DynamicUser=: a read-only view of the system,
# no home, no privileges); --collect removes the unit once it has stopped, whatever its exit.
# create (and update): stops every earlier window, starts this build's and waits until SERVED answers.
# delete: stops this build's window, if it still runs.
local mode=${1:-create} unit i=0
stop_units() {
    local u
    for u in $(systemctl list-units --all --plain --no-legend --type=service "$1" | awk '{print $1}'); do
        sudo systemctl stop "$u" || true
    done
}
if [ "$mode" = delete ]; then
    stop_units "$UNIT-*"
    exit 0
fi
[ -f "$IMAGES_DIR/$SERVED" ] || { echo "image-server: $IMAGES_DIR/$SERVED is missing; the amphora build did not finish" >&2; exit 1; }
# A window of an earlier build, or of this one from an interrupted run.
stop_units "$UNIT_PREFIX-*"
for address in "${ADDRESSES[@]}"; do
    i=$((i + 1))
    unit="$UNIT-$i"
    sudo systemd-run --quiet --collect --unit "$unit" \
        --property DynamicUser=yes --property RuntimeMaxSec="$LIFETIME" \
        /usr/bin/python3 -m http.server "$PORT" --bind "$address" --directory "$IMAGES_DIR"
done
for address in "${ADDRESSES[@]}"; do
    local attempt=0
    until curl -fsS -o /dev/null --head "http://$address:$PORT/$SERVED"; do
        attempt=$((attempt + 1))
        if [ "$attempt" -ge 30 ]; then
            echo "image-server: http://$address:$PORT/$SERVED does not answer; see: journalctl -u '$UNIT-*'" >&2
            exit 1
        fi
        sleep 1
    done
    echo "image-server: serving http://$address:$PORT/$SERVED for $LIFETIME s" >&2
done
echo "$SERVED"
