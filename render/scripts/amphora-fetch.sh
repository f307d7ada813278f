# Fetches a prebuilt amphora (amphoraSource url) over https only, and keeps it only if its bytes hash to the sha256 the
# stack names (openstack-aio:amphoraImageSha256). Idempotent: a copy already here that still hashes right is kept.
# Prints "<file> <sha256>" on the last line.
local out="$IMAGES_DIR/amphora-$SHA256.qcow2" sha
sudo install -d -o "$(id -un)" -m 0755 "$IMAGES_DIR"
exec 7>>"$IMAGES_DIR/.build.lock"
flock -w 7200 7 || { echo "amphora: another amphora build or fetch holds $IMAGES_DIR/.build.lock" >&2; exit 75; }
if [ -s "$out" ] && [ "$(sha256sum "$out" | cut -d' ' -f1)" = "$SHA256" ]; then
    echo "amphora: $out already fetched" >&2
else
    rm -f "$out" "$out.partial"
    # --proto/--proto-redir: https only, also after a redirect; -f: an HTTP error is a failure, not a saved page.
    if ! timeout 3600 curl --proto '=https' --proto-redir '=https' --tlsv1.2 -fsSL --retry 3 -o "$out.partial" "$URL"; then
        rm -f "$out.partial"
        echo "amphora: downloading $URL (openstack-aio:amphoraImageUrl) failed" >&2
        exit 1
    fi
    sha=$(sha256sum "$out.partial" | cut -d' ' -f1)
    if [ "$sha" != "$SHA256" ]; then
        rm -f "$out.partial"
        echo "amphora: $URL has sha256 $sha, not $SHA256 (openstack-aio:amphoraImageSha256): not this image; nothing is uploaded. Check the URL and the sha256 its publisher gives" >&2
        exit 1
    fi
    mv -f "$out.partial" "$out"
fi
chmod 0644 "$out"
echo "$out $SHA256"
