# Builds the Octavia amphora image with Octavia's own diskimage-create at a pinned tag. Idempotent: an image already
# built for this ref and these options is kept. Prints "<path> <sha256> <md5>" on the last line, <path> being where the
# image server has it: by-sha256/<sha256>/<file>, so the URL names exactly these bytes.
local out="$IMAGES_DIR/$IMAGE_FILE" work
if [ -s "$out" ] && [ -s "$out.sha256" ]; then
    echo "amphora: $out already built" >&2
else
    # Wait for apt locks (unattended-upgrades) instead of failing, as deploy-prepare does.
    local apt=(sudo DEBIAN_FRONTEND=noninteractive timeout 1200 apt-get -o DPkg::Lock::Timeout=600 -q)
    "${apt[@]}" update
    "${apt[@]}" install -y "${HOST_PACKAGES[@]}"
    sudo install -d -o "$(id -un)" -m 0755 "$CACHE_DIR" "$IMAGES_DIR"
    if [ ! -d "$CACHE_DIR/octavia-$OCTAVIA_REF/.git" ]; then
        rm -rf "$CACHE_DIR/octavia-$OCTAVIA_REF"
        timeout 900 git clone --quiet --depth 1 --branch "$OCTAVIA_REF" "$OCTAVIA_REPO" "$CACHE_DIR/octavia-$OCTAVIA_REF"
    fi
    [ -x "$DIB_VENV/bin/python" ] || python3 -m venv "$DIB_VENV"
    # diskimage-create's own requirements (diskimage-builder, PyYAML, six) under the same immutable constraints.
    timeout 1200 "$DIB_VENV/bin/pip" install -q -c "$UPPER_CONSTRAINTS" -r "$CACHE_DIR/octavia-$OCTAVIA_REF/diskimage-create/requirements.txt"
    # A build that was interrupted leaves its work dir (gigabytes) behind: clear those first. No EXIT trap: it
    # would run after main has returned, when its locals are gone.
    sudo rm -rf "$CACHE_DIR"/build.*
    work=$(mktemp -d "$CACHE_DIR/build.XXXXXX")
    # diskimage-builder prints megabytes, which Pulumi would keep in the stack's state: they go to a log on this
    # host, and only its tail comes back when the build fails.
    echo "amphora: building $IMAGE_FILE with octavia $OCTAVIA_REF (up to 90 minutes; progress: $LOG_DIR/amphora-build.log)" >&2
    # The elements fetch octavia and octavia-lib from a branch (deleted for ended series, master at 18.0.0) and the
    # upper constraints from a moving URL: pin all three (diskimage-builder source-repositories/98-source-repositories
    # reads DIB_REPOREF_<name> / DIB_REPOLOCATION_<name>; a commit works as a ref, a tag name does not).
    if ! (cd "$CACHE_DIR/octavia-$OCTAVIA_REF/diskimage-create" && export VIRTUAL_ENV="$DIB_VENV" PATH="$DIB_VENV/bin:$PATH" \
        DIB_REPOREF_amphora_agent="$AMPHORA_AGENT_COMMIT" DIB_REPOREF_octavia_lib="$OCTAVIA_LIB_COMMIT" \
        DIB_REPOLOCATION_upper_constraints="$UPPER_CONSTRAINTS" && \
        timeout 5400 ./diskimage-create.sh -a amd64 -i ubuntu-minimal -d "$UBUNTU_RELEASE" -t qcow2 -w "$work" -o "$work/$IMAGE_FILE") \
        >>"$LOG_DIR/amphora-build.log" 2>&1; then
        echo "amphora: diskimage-create failed; last lines of $LOG_DIR/amphora-build.log:" >&2
        tail -n 40 "$LOG_DIR/amphora-build.log" | cut -c1-2000 >&2
        sudo rm -rf "$work"
        exit 1
    fi
    mv -f "$work/$IMAGE_FILE" "$out.partial"
    sha256sum "$out.partial" | cut -d' ' -f1 > "$out.sha256.partial"
    md5sum "$out.partial" | cut -d' ' -f1 > "$out.md5.partial"
    mv -f "$out.partial" "$out"
    mv -f "$out.md5.partial" "$out.md5"
    mv -f "$out.sha256.partial" "$out.sha256"
    sudo rm -rf "$work"
fi
# An image built by an earlier version has no md5 yet.
[ -s "$out.md5" ] || md5sum "$out" | cut -d' ' -f1 > "$out.md5"
local sha served
sha=$(cat "$out.sha256")
served=by-sha256/$sha/$IMAGE_FILE
install -d -m 0755 "$IMAGES_DIR/by-sha256" "$IMAGES_DIR/by-sha256/$sha"
ln -f "$out" "$IMAGES_DIR/$served"
chmod 0644 "$out" "$out.sha256" "$out.md5"
echo "$served $sha $(cat "$out.md5")"
