# Builds the Octavia amphora image with Octavia's own diskimage-create at a pinned tag. Idempotent: an image already
# built for this ref and these options is kept, once its bytes still hash to the recorded sha256. One build at a time
# (BUILD_LOCK: a second waits), and the image and its hash are published so that no interruption can pair an image
# with another build's hash. Prints "<file> <sha256>" on the last line.
local out="$IMAGES_DIR/$IMAGE_FILE" work sha=""
sudo install -d -o "$(id -un)" -m 0755 "$CACHE_DIR" "$IMAGES_DIR"
# Its own lock, not the deploy lock: the build takes an hour and runs beside kolla's stages. Held on fd 7.
exec 7>>"$IMAGES_DIR/.build.lock"
if ! flock -w 7200 7; then
    echo "amphora: another amphora build on this host has held $IMAGES_DIR/.build.lock for 2 hours; see $LOG_DIR/amphora-build.log" >&2
    exit 75
fi
# Hash files of earlier versions (one per algorithm, moved one by one) are no longer read.
rm -f "$out.md5" "$out.md5.partial" "$out.sha256.partial"
if [ -s "$out" ] && [ -s "$out.sha256" ]; then
    sha=$(sha256sum "$out" | cut -d' ' -f1)
    if [ "$sha" = "$(cat "$out.sha256")" ]; then
        echo "amphora: $out already built" >&2
    else
        echo "amphora: $out does not hash to $out.sha256 (an interrupted publish): building it again" >&2
        sha=""
    fi
fi
if [ -z "$sha" ]; then
    # Wait for apt locks (unattended-upgrades) instead of failing, as deploy-prepare does.
    local apt=(sudo DEBIAN_FRONTEND=noninteractive timeout 1200 apt-get -o DPkg::Lock::Timeout=600 -q)
    "${apt[@]}" update
    "${apt[@]}" install -y "${HOST_PACKAGES[@]}"
    if [ ! -d "$CACHE_DIR/octavia-$OCTAVIA_REF/.git" ]; then
        rm -rf "$CACHE_DIR/octavia-$OCTAVIA_REF"
        timeout 900 git clone --quiet --depth 1 --branch "$OCTAVIA_REF" "$OCTAVIA_REPO" "$CACHE_DIR/octavia-$OCTAVIA_REF"
    fi
    [ -x "$DIB_VENV/bin/pip" ] || python3 -m venv --clear "$DIB_VENV"
    # diskimage-create's own requirements (diskimage-builder, PyYAML, six) under the same immutable constraints.
    timeout 1200 "$DIB_VENV/bin/pip" install -q -c "$UPPER_CONSTRAINTS" -r "$CACHE_DIR/octavia-$OCTAVIA_REF/diskimage-create/requirements.txt"
    # A build that was interrupted leaves its work dir (gigabytes) behind: clear those first (the lock says no build
    # runs). No EXIT trap: it would run after main has returned, when its locals are gone.
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
    sha=$(sha256sum "$work/$IMAGE_FILE" | cut -d' ' -f1)
    # Publish: the old hash goes first, the image is renamed into place, its hash is written last (atomically). An
    # interruption leaves no hash, or one that the check above finds does not match: never a wrong pair trusted.
    rm -f "$out.sha256"
    mv -f "$work/$IMAGE_FILE" "$out"
    printf '%s\n' "$sha" > "$out.sha256.new"
    mv -f "$out.sha256.new" "$out.sha256"
    sudo rm -rf "$work"
fi
# Earlier versions served the image from here by hash; nothing serves it now.
rm -rf "$IMAGES_DIR/by-sha256"
chmod 0644 "$out" "$out.sha256"
echo "$out $sha"
