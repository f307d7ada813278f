# Copies SOURCE into the local registry as DEST with skopeo (registry to registry, nothing stored in the daemon), from
# inside the writable registry's network namespace (NETWORK), where DEST is plain HTTP on loopback.
# Idempotent: when DEST's manifest digest already equals SOURCE's, nothing is copied. Prints the digest on stdout.
# BLOB_CACHE (a host directory) holds skopeo's blob-info cache across these one-shot containers: skopeo records in
# it which blobs each repository of the local registry has, so a later copy mounts a shared layer from another
# repository instead of reading it from SOURCE again (containers/image docker/docker_image_dest.go,
# TryReusingBlobWithOptions: a cached location is checked with HEAD, then mounted). The cache is only a hint: a stale
# entry fails that check and the layer is copied. Parallel copies share it safely (pkg/blobinfocache/sqlite:
# exclusive transactions with a busy timeout; the older BoltDB cache opens and locks the file per operation).
local -a docker_cmd=(docker)
docker info >/dev/null 2>&1 || docker_cmd=(sudo docker)
skopeo() {
    # quay.io/containers/skopeo runs as root (containers/image_build skopeo/Containerfile sets no USER), so its cache is
    # /var/lib/containers/cache (containers/image pkg/blobinfocache/default.go, systemBlobInfoCacheDir). docker run
    # -v creates a missing host directory (Docker docs, storage/bind-mounts: "Differences between -v and --mount").
    # --network container:registry: the writable registry listens only on the loopback of its own network namespace
    # (LocalRegistry), which this copy joins; the source is reached through that namespace's own way out.
    timeout 1800 "${docker_cmd[@]}" run --rm --network "$NETWORK" -v "$BLOB_CACHE:/var/lib/containers/cache" "$SKOPEO_IMAGE" "$@"
}
manifest_digest() {
    # The sha256 of the raw top-level manifest: what a registry calls the digest, equal on both sides after
    # `copy --all --preserve-digests`. Hashed straight from the pipe: a shell variable would drop trailing newlines.
    local sum
    sum=$(skopeo inspect --raw --retry-times 3 "$@" | sha256sum) || return 1
    printf 'sha256:%s\n' "${sum%% *}"
}
local want have attempt
want=$(manifest_digest "docker://$SOURCE")
have=$(manifest_digest --tls-verify=false "docker://$DEST" 2>/dev/null || true)
if [ "$have" = "$want" ]; then
    echo "mirror: $DEST already at $want" >&2
else
    for attempt in 1 2 3 4; do
        if skopeo copy --all --preserve-digests --retry-times 3 --dest-tls-verify=false \
            "docker://$SOURCE" "docker://$DEST" >&2; then
            break
        fi
        [ "$attempt" -lt 4 ] || { echo "mirror: copying $SOURCE failed after $attempt attempts" >&2; exit 1; }
        sleep $((attempt * 15))
    done
    have=$(manifest_digest --tls-verify=false "docker://$DEST")
    [ "$have" = "$want" ] || { echo "mirror: $DEST has $have, expected $want" >&2; exit 1; }
fi
echo "$have"
