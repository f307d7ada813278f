# Uploads the amphora into Glance from the deploy host itself, as octavia in project service (post-deploy's
# octavia-openrc.sh; the password never leaves this host): Octavia boots the newest image tagged amphora and owned by
# that project (octavia.conf amp_image_tag, amp_image_owner_id). So the image is uploaded private and UNTAGGED, Glance's
# own checksums of what it stored (md5 and its os_hash) are compared with FILE's, and only then is it tagged; on a
# mismatch it is deleted. No server offers the file to anyone. $1 = create | update | delete; prints the image id.
local mode=${1:-create} id
if [ ! -r "$OPENRC" ]; then
    if [ "$mode" = delete ]; then echo "amphora-upload: no $OPENRC on $(hostname): the cloud is gone, and the image with it" >&2; exit 0; fi
    echo "amphora-upload: post-deploy wrote no $OPENRC on $(hostname) (enable_octavia must be on)" >&2
    exit 1
fi
export VIRTUAL_ENV="$VENV" PATH="$VENV/bin:$PATH"
# shellcheck disable=SC1090 # kolla's post-deploy writes it (roles/octavia/templates/octavia-openrc.sh.j2)
. "$OPENRC"
# With TLS the internal endpoints are https, signed by kolla's own CA (the openrc names none).
[ -z "$CA_CERTIFICATE" ] || export OS_CACERT="$CA_CERTIFICATE"
os() { timeout 900 openstack "$@"; }
# This build's images: its name carries the sha256, which Glance filters on.
ours() { os image list --private --name "$NAME" -f value -c ID; }
if [ "$mode" = delete ]; then
    local ids
    if ! ids=$(ours); then
        echo "amphora-upload: Glance does not answer from $(hostname) ($OS_AUTH_URL): if the cloud is gone, so is the image; otherwise delete $NAME by hand" >&2
        exit 0
    fi
    for id in $ids; do os image delete "$id"; echo "amphora-upload: deleted $id ($NAME)" >&2; done
    exit 0
fi
[ -f "$FILE" ] || { echo "amphora-upload: $FILE is missing on $(hostname): the amphora build or fetch did not finish" >&2; exit 1; }
[ "$(sha256sum "$FILE" | cut -d' ' -f1)" = "$SHA256" ] || { echo "amphora-upload: $FILE no longer hashes to $SHA256 (changed on $(hostname) since the build): nothing is uploaded; run pulumi up --replace on the amphora build" >&2; exit 1; }
# verified ID: Glance stored exactly FILE's bytes (its md5 `checksum` and its `os_hash_value` with `os_hash_algo`,
# computed by Glance as it stored them), the image is active, private and carries this sha256.
verified() {
    os image show "$1" -f json | python3 -c '
import hashlib, json, sys
image, path, sha256 = json.load(sys.stdin), sys.argv[1], sys.argv[2]
# python-openstackclient 6.2.0 image/v2/image.py _format_image: fields outside its short list (os_hash_*, our own
# property) are flattened into "properties".
props = image.get("properties") or {}
field = lambda k: image.get(k, props.get(k))
algo = field("os_hash_algo") or "sha512"
md5, other = hashlib.md5(), hashlib.new(algo)
with open(path, "rb") as f:
    for chunk in iter(lambda: f.read(1 << 20), b""):
        md5.update(chunk); other.update(chunk)
wrong = [(k, have, want) for k, have, want in (
    ("status", field("status"), "active"),
    ("visibility", field("visibility"), "private"),
    ("checksum", field("checksum"), md5.hexdigest()),
    ("os_hash_value", field("os_hash_value"), other.hexdigest()),
    ("openstack_aio_sha256", field("openstack_aio_sha256"), sha256),
) if have != want]
for k, have, want in wrong:
    print("amphora-upload: image %s: %s is %s, the built image%s %s" % (image.get("id"), k, have, "\x27s" if k != "status" else " must be", want), file=sys.stderr)
sys.exit(1 if wrong else 0)' "$FILE" "$SHA256"
}
# Glance must answer before anything is uploaded: the deploy host reaches the cloud's internal endpoints.
if ! ours >/dev/null; then
    echo "amphora-upload: Glance does not answer from $(hostname) as octavia ($OS_AUTH_URL): the deploy host must reach the internal VIP (ports 5000 and 9292), e.g. with a route to the API network" >&2
    exit 1
fi
# An earlier run's image of these bytes (interrupted before or after its tag): kept when it checks out, else deleted.
for id in $(ours); do
    if verified "$id"; then
        os image set --tag "$TAG" "$id"
        echo "amphora-upload: $id already holds these bytes ($NAME)" >&2
        echo "$id"
        exit 0
    fi
    os image delete "$id"
    echo "amphora-upload: deleted $id, which does not hold the built bytes" >&2
done
id=$(os image create --file "$FILE" --disk-format qcow2 --container-format bare --private \
    --property hw_architecture=x86_64 --property hw_rng_model=virtio --property "openstack_aio_sha256=$SHA256" \
    -f value -c id "$NAME")
if ! verified "$id"; then
    os image delete "$id"
    echo "amphora-upload: Glance did not store the built image (sha256 $SHA256): the upload was altered or cut, and the image was deleted untagged, so Octavia never saw it. Run pulumi up again" >&2
    exit 1
fi
os image set --tag "$TAG" "$id"
echo "amphora-upload: $id tagged $TAG once Glance's checksums matched the build ($NAME)" >&2
echo "$id"
