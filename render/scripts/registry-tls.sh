# The registry's TLS, from a CA this program owns: made here, on the deploy host, with openssl; the private keys never
# leave it. The CA (CA_DIR) signs the registry's certificate (CERT_DIR: mounted read-only into the registry containers,
# distribution v2.8.3 http.tls.certificate/key), for ADDRESS, the address the targets pull from. bootstrap-servers
# copies the CA (public) to every target as /etc/docker/certs.d/<registry>/ca.crt (ansible-collection-kolla
# roles/docker/tasks/config.yml, docker_registry_ca), where Docker trusts it for that registry only (moby
# registry/registry.go ReadCertsDirectory: *.crt are CA roots). Idempotent: the CA is made once; the certificate again
# only when it is missing, not signed by this CA, or not for ADDRESS. Prints the certificate's sha256 fingerprint last.
umask 077
install -d -m 0700 "$TLS_DIR" "$CA_DIR" "$CERT_DIR"
local work
work=$(mktemp -d "$TLS_DIR/.new.XXXXXX")
# Not a local's trap: the EXIT trap may run after main's locals are gone.
REGISTRY_TLS_WORK=$work
trap 'rm -rf "$REGISTRY_TLS_WORK"' EXIT
# A certificate and its key, renamed into place one after the other: an interruption between them leaves a pair that
# does not belong together, which this catches (and the pair is made again).
pair_ok() {
    [ -s "$1" ] && [ -s "$2" ] &&
        [ "$(openssl x509 -in "$1" -noout -pubkey 2>/dev/null)" = "$(openssl pkey -in "$2" -pubout 2>/dev/null)" ]
}
if ! pair_ok "$CA_DIR/ca.crt" "$CA_DIR/ca.key"; then
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -sha256 -days "$DAYS" \
        -subj "/CN=openstack-aio registry CA $(hostname)" \
        -addext "basicConstraints=critical,CA:TRUE,pathlen:0" -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -keyout "$work/ca.key" -out "$work/ca.crt" 2>/dev/null
    mv -f "$work/ca.key" "$CA_DIR/ca.key"
    mv -f "$work/ca.crt" "$CA_DIR/ca.crt"
    rm -f "$CERT_DIR/registry.crt"
    echo "registry-tls: made the registry's CA in $CA_DIR" >&2
fi
if ! pair_ok "$CERT_DIR/registry.crt" "$CERT_DIR/registry.key" ||
    ! openssl verify -CAfile "$CA_DIR/ca.crt" "$CERT_DIR/registry.crt" >/dev/null 2>&1 ||
    ! openssl x509 -in "$CERT_DIR/registry.crt" -noout -checkip "$ADDRESS" 2>/dev/null | grep -q 'does match'; then
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -sha256 \
        -subj "/CN=$ADDRESS" -keyout "$work/registry.key" -out "$work/registry.csr" 2>/dev/null
    # Go (Docker's client) checks the subjectAltName, never the CN: IP:ADDRESS is what it matches.
    printf 'subjectAltName=IP:%s\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' "$ADDRESS" > "$work/ext"
    openssl x509 -req -sha256 -days "$DAYS" -in "$work/registry.csr" -CA "$CA_DIR/ca.crt" -CAkey "$CA_DIR/ca.key" \
        -set_serial "0x$(openssl rand -hex 16)" -extfile "$work/ext" -out "$work/registry.crt" 2>/dev/null
    mv -f "$work/registry.key" "$CERT_DIR/registry.key"
    mv -f "$work/registry.crt" "$CERT_DIR/registry.crt"
    echo "registry-tls: issued the registry's certificate for $ADDRESS" >&2
fi
# The CA is public: readable for the copy to the targets, and for review.
chmod 0644 "$CA_DIR/ca.crt"
echo "registry-tls: $(openssl x509 -in "$CERT_DIR/registry.crt" -noout -fingerprint -sha256 | cut -d= -f2)"
