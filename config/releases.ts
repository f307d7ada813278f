// What each supported OpenStack release pins. Upstream deleted the `stable/2023.1` branches of
// kolla-ansible and octavia, so every reference here is an immutable tag or a branch that still resolves.
export interface ReleasePins {
    /** pip requirement for kolla-ansible. The `2023.1-eol` tag is the final 2023.1 code and, unlike
     *  PyPI's 16.7.0, its requirements.yml points `install-deps` at `unmaintained/2023.1` of
     *  ansible-collection-kolla, which still exists (16.7.0 points at the deleted stable branch). */
    kollaAnsible: string;
    /** ansible-core pin inside kolla-ansible's supported range (ANSIBLE_VERSION_MIN/MAX = 2.13/2.14). */
    ansibleCore: string;
    /** Upper constraints for python-openstackclient, python-octaviaclient and diskimage-builder. */
    upperConstraints: string;
    /** Octavia git ref holding diskimage-create for the amphora build. */
    octaviaRef: string;
    /** Ubuntu codename of kolla's images for this release (image tag `<release>-ubuntu-<codename>`). */
    ubuntuCodename: string;
    /** The cirros version kolla's init-runonce uses for this release. */
    cirrosVersion: string;
}

export const RELEASES: Readonly<Record<string, ReleasePins>> = Object.freeze({
    "2023.1": Object.freeze({
        kollaAnsible: "kolla-ansible @ git+https://opendev.org/openstack/kolla-ansible@2023.1-eol",
        ansibleCore: "ansible-core==2.14.18",
        upperConstraints: "https://releases.openstack.org/constraints/upper/2023.1",
        octaviaRef: "2023.1-eom",
        ubuntuCodename: "jammy",
        cirrosVersion: "0.6.1",
    }),
});

export const SUPPORTED_RELEASES = Object.keys(RELEASES);
