# After `pull` and before `deploy`: every kolla image on every target is the one the mirror copied. kolla cannot pull by
# digest (its container module splits a reference at the last ':' and finds images by RepoTags: ansible/module_utils/
# kolla_container_worker.py parse_image, kolla_docker_worker.py check_image, the same in 22.1.0), so this compares what
# each target's Docker recorded for the tag it pulled (the manifest digest, `docker image ls --digests`: the digest of
# the top-level manifest, list or single, that the tag resolved to) with the digest the mirror recorded for it
# (EXPECTED: "<repository> <tag> <digest>" lines). A mismatch stops the run naming host and image.
hold_deploy_lock verify-images "$LOG_DIR/verify-images.log"
install -d -m 0700 "$LOG_DIR"
export VIRTUAL_ENV="$VENV" PATH="$VENV/bin:$PATH" ANSIBLE_COLLECTIONS_PATH="$VENV/share/ansible/collections"
local out rc=0 compare
# Ad hoc, through the same inventory, ansible.cfg and pinned host keys as every stage. One line per host (-o): the
# command's stdout with its newlines written as \n (ansible-core's oneline callback); docker's table holds no backslash.
out=$(timeout 900 ansible -i "$INVENTORY" "$TARGETS" -b -o -m command -a 'docker image ls --digests --no-trunc' 2>&1) || rc=$?
printf '%s\n' "$out" > "$LOG_DIR/verify-images.log"
compare=$(cat <<'PY'
import re, sys
expected, rc = {}, int(sys.argv[2])
for line in sys.argv[1].splitlines():
    if line.strip():
        repo, tag, *digest = line.split()
        expected[(repo, tag)] = digest[0] if digest else ""
bad = [f"the mirror recorded no digest for {r}:{t} ({d!r})" for (r, t), d in expected.items() if not re.fullmatch(r"sha256:[0-9a-f]{64}", d)]
hosts, checked = {}, 0
for line in sys.stdin.read().splitlines():
    m = re.match(r"^(\S+) \| (\S+) \| rc=(-?\d+) \| \(stdout\) (.*?)(?: \(stderr\) .*)?$", line)
    if not m:
        if re.match(r"^\S+ \| (UNREACHABLE|FAILED)", line): bad.append(line[:300])
        continue
    host, status, code, stdout = m.groups()
    if code != "0":
        bad.append(f"{host}: docker image ls failed ({status}, rc={code})")
        continue
    seen = {}
    for row in stdout.split("\\n")[1:]:
        cols = row.split()
        if len(cols) >= 3:
            seen.setdefault((cols[0], cols[1]), set()).add(cols[2])
    hosts[host] = 0
    for key, digests in seen.items():
        want = expected.get(key)
        if want is None:
            continue
        hosts[host] += 1
        checked += 1
        if want not in digests:
            bad.append(f"{host}: {key[0]}:{key[1]} is {', '.join(sorted(digests))}, not the mirror's {want}")
if rc != 0 and not bad:
    bad.append(f"ansible exited {rc}")
if not checked and not bad:
    bad.append("no target holds any image of the mirror: nothing was compared")
if bad:
    print("verify-images: the targets' images are not the ones the mirror copied; nothing is deployed:", file=sys.stderr)
    for b in bad: print(f"  - {b}", file=sys.stderr)
    print("A target pulled from something answering in the registry's place, or the registry's content changed. Check the deploy host's registry, then run pulumi up again (the full ansible output: " + sys.argv[3] + ")", file=sys.stderr)
    sys.exit(1)
print(f"verify-images: {checked} images on {len(hosts)} hosts ({', '.join(sorted(hosts))}) are the mirror's, digest for digest")
PY
)
python3 -c "$compare" "$EXPECTED" "$rc" "$LOG_DIR/verify-images.log" <<<"$out"
