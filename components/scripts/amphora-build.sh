# Builds the Octavia amphora image with Octavia's own diskimage-create at a pinned tag. Idempotent: an image already
# built for this ref and these options is kept. Prints "<file> <sha256>" on the last line.
local out="$IMAGES_DIR/$IMAGE_FILE" work
if [ -s "$out" ] && [ -s "$out.sha256" ]; then
    echo "amphora: $out already built" >&2
else
    sudo DEBIAN_FRONTEND=noninteractive timeout 1200 apt-get install -y -q debootstrap qemu-utils git kpartx python3-venv
    sudo install -d -o "$(id -un)" -m 0755 "$CACHE_DIR" "$IMAGES_DIR"
    if [ ! -d "$CACHE_DIR/octavia-$OCTAVIA_REF/.git" ]; then
        rm -rf "$CACHE_DIR/octavia-$OCTAVIA_REF"
        timeout 900 git clone --quiet --depth 1 --branch "$OCTAVIA_REF" "$OCTAVIA_REPO" "$CACHE_DIR/octavia-$OCTAVIA_REF"
    fi
    [ -x "$DIB_VENV/bin/python" ] || python3 -m venv "$DIB_VENV"
    timeout 1200 "$DIB_VENV/bin/pip" install -q -c "$UPPER_CONSTRAINTS" diskimage-builder
    work=$(mktemp -d "$CACHE_DIR/build.XXXXXX")
    trap 'rm -rf "$work"' EXIT
    (
        cd "$CACHE_DIR/octavia-$OCTAVIA_REF/diskimage-create"
        export PATH="$DIB_VENV/bin:$PATH"
        timeout 5400 ./diskimage-create.sh -a amd64 -i ubuntu-minimal -d "$UBUNTU_RELEASE" -t qcow2 -w "$work" -o "$work/$IMAGE_FILE" >&2
    )
    mv -f "$work/$IMAGE_FILE" "$out.partial"
    sha256sum "$out.partial" | cut -d' ' -f1 > "$out.sha256.partial"
    mv -f "$out.partial" "$out"
    mv -f "$out.sha256.partial" "$out.sha256"
fi
chmod 0644 "$out" "$out.sha256"
echo "$IMAGE_FILE $(cat "$out.sha256")"
