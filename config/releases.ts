// What each supported OpenStack release pins. Upstream deleted the `stable/2023.1` and `unmaintained/2023.1`
// branches of kolla-ansible and ansible-collection-kolla, and `stable/2023.1` of octavia and octavia-lib, so every
// reference here is a tag or a commit, never a branch.
export interface ReleasePins {
    /** The deploy host's Python packages, installed by ONE pip resolution under `upperConstraints`, so a later pip
     *  run cannot downgrade what an earlier one installed. As kolla 2023.1's own CI installs them
     *  (kolla-ansible tests/run.yml at 2023.1-eol: kolla-ansible + `ansible-core==2.14.*` + `ansible==7.*`, `-c`
     *  upper constraints): kolla's playbooks need the `ansible` bundle's collections (community.general's
     *  sysctl/modprobe/ufw, ansible.posix's mount/authorized_key, ansible.utils' ipaddr filter). */
    deployHostPackages: readonly string[];
    /** pip, setuptools and wheel, exact: installed first, outside the constraints (upper-constraints names none of them).
     *  kolla 2023.1's CI used `pip==23.*` and `setuptools==67.2.0` (tests/run.yml); these are their early-2024
     *  releases, which still support jammy's Python 3.10 and build kolla-ansible's pbr sdist. */
    pipTools: readonly string[];
    /** Immutable upper constraints: the requirements repo's `2023.1-eom` tag (commit 838389db). It pins the clients,
     *  kolla-ansible's dependencies and diskimage-builder 3.25.0, and names none of ansible, ansible-core, kolla-ansible. */
    upperConstraints: string;
    /** ansible-collection-kolla, installed by ansible-galaxy from this git ref instead of `kolla-ansible install-deps`
     *  (whose requirements.yml at 2023.1-eol names the deleted `unmaintained/2023.1` branch). Tag `2023.1-eol` is
     *  commit aa0a0da ("Update .gitreview for unmaintained/2023.1"); its galaxy.yml has `dependencies: {}`. */
    kollaCollection: { readonly repo: string; readonly ref: string };
    /** Octavia tag holding diskimage-create and its elements for the amphora build. */
    octaviaRef: string;
    /** The commits behind octavia's and octavia-lib's `2023.1-eom` tags. The elements at 2023.1-eom default to the
     *  deleted `stable/2023.1` branches; diskimage-builder takes a commit here (DIB_REPOREF_amphora_agent,
     *  DIB_REPOREF_octavia_lib), not a tag name. */
    amphoraAgentCommit: string;
    octaviaLibCommit: string;
    /** Ubuntu codename of kolla's images for this release (image tag `<release>-ubuntu-<codename>`). */
    ubuntuCodename: string;
    /** docker-ce on the targets (`docker_apt_package_pin`), as kolla-ansible 2023.1's CI pins it
     *  (tests/templates/globals-default.j2 at 2023.1-eol: `docker_apt_package_pin: "5:20.*"`); unpinned,
     *  bootstrap-servers would install today's Docker, years newer than anything 2023.1 ran on. */
    dockerAptPin: string;
    /** How kolla-ansible's CLI takes its arguments (render/scripts/kolla-cli.sh): `bash`, tools/kolla-ansible up to
     *  2024.1 (`kolla-ansible -i INV ACTION`); `cliff`, the Python application from 2024.2 on (`kolla-ansible ACTION
     *  -i INV`; kolla-ansible 20.5.0 and 22.1.0 setup.cfg console_scripts, kolla_ansible/cli/commands.py). */
    kollaCli: "bash" | "cliff";
}

export const RELEASES: Readonly<Record<string, ReleasePins>> = Object.freeze({
    "2023.1": Object.freeze({
        deployHostPackages: Object.freeze([
            "ansible-core==2.14.18",
            "ansible==7.7.0",
            "kolla-ansible @ git+https://opendev.org/openstack/kolla-ansible@2023.1-eol",
            "python-openstackclient",
            "python-octaviaclient",
        ]),
        pipTools: Object.freeze(["pip==24.0", "setuptools==69.5.1", "wheel==0.43.0"]),
        upperConstraints:
            "https://opendev.org/openstack/requirements/raw/tag/2023.1-eom/upper-constraints.txt",
        kollaCollection: Object.freeze({
            repo: "https://opendev.org/openstack/ansible-collection-kolla",
            ref: "2023.1-eol",
        }),
        octaviaRef: "2023.1-eom",
        amphoraAgentCommit: "97603dde566364c63e381c9bb557e8a430656dbc",
        octaviaLibCommit: "5ec74a4dbeda9b65fbe3cdae078fca713a1dad74",
        ubuntuCodename: "jammy",
        dockerAptPin: "5:20.*",
        kollaCli: "bash",
    }),
});

export const SUPPORTED_RELEASES = Object.keys(RELEASES);
