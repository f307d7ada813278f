// Releases as data: every fact that differs between the OpenStack releases this program deploys, one entry per
// release (config/releases/<series>.ts). Renderers, scripts and checks read these fields; nothing else in the program
// asks which release it is. Adding a release means adding one entry, its tests, and its line in SLURP_PATH.
//
// Upstream references are tags or commits, never branches: upstream deletes a series' branches when it ends
// (stable/2023.1 and unmaintained/2023.1 are gone) and moves the branches it keeps.
import { RELEASE_2023_1 } from "./2023.1";
import { RELEASE_2024_1 } from "./2024.1";
import { RELEASE_2025_1 } from "./2025.1";
import { RELEASE_2026_1 } from "./2026.1";

/** The Ubuntu releases a kolla release may support on its hosts, by codename. */
export const UBUNTU_CODENAMES = ["jammy", "noble"] as const;
export type UbuntuCodename = (typeof UBUNTU_CODENAMES)[number];
/** Ubuntu's version of each codename, for messages. */
export const UBUNTU_VERSIONS: Readonly<Record<UbuntuCodename, string>> = {
    jammy: "22.04",
    noble: "24.04",
};

/** A Galaxy collection at an exact version (Galaxy never lets a published version change). */
export interface GalaxyCollection {
    readonly name: string;
    readonly version: string;
}

/** kolla's image names for the services this program deploys (roles' `*_image` defaults of the release). */
export interface ReleaseImages {
    /** Always on: common, loadbalancer, the database, memcached, RabbitMQ, keystone, glance, placement, nova,
     *  openvswitch and neutron. `base` is a parent image nothing runs, so it is not mirrored. */
    readonly core: readonly string[];
    readonly heat: readonly string[];
    readonly horizon: readonly string[];
    /** octavia-driver-agent runs only with OVN, which this program does not configure. */
    readonly octavia: readonly string[];
}

/** Octavia's amphorav2 jobboard (from 2024.1): on by default with Octavia, and needs a key-value store. */
export interface OctaviaJobboard {
    /** The globals switch of the store octavia's precheck asks for (roles/octavia/tasks/precheck.yml). */
    readonly store: "enable_redis" | "enable_valkey";
    /** The store's images (roles/redis or roles/valkey defaults). */
    readonly images: readonly string[];
}

/** What octavia's diskimage-create needs to build this release's amphora from immutable refs. */
export interface AmphoraPins {
    /** Octavia tag holding diskimage-create and its elements. */
    readonly octaviaRef: string;
    /** Commits for the elements' source repositories (DIB_REPOREF_amphora_agent, DIB_REPOREF_octavia_lib):
     *  diskimage-builder's source-repositories takes a commit there, not a tag name. */
    readonly amphoraAgentCommit: string;
    readonly octaviaLibCommit: string;
    /** The Ubuntu the amphora runs (diskimage-create -d): the one octavia's diskimage-create builds at that tag,
     *  whatever the hosts run. */
    readonly ubuntuRelease: UbuntuCodename;
}

/**
 * How a cloud on the SLURP release before this one moves to it: kolla's procedure (doc/source/user/operating-kolla.rst)
 * as its CI's upgrade job runs it (tests/upgrade.sh, roles/kolla-ansible-upgrade), and the prerequisites it names.
 */
export interface UpgradeFrom {
    /** The SLURP release before this one. */
    readonly from: string;
    /** On the old release, before anything else: its own `rabbitmq-upgrade` through these RabbitMQ versions, one
     *  at a time, with the images rabbitmq-<X-Y> at the old tag (the new release's upgrade refuses a jump of more than
     *  one minor version: roles/rabbitmq/tasks/version-check.yml). */
    readonly rabbitmqSteps: readonly string[];
    /** Inside the hop, with the new CLI, before `upgrade`: stop the services that use RabbitMQ, genconfig,
     *  rabbitmq-reset-state, so every queue comes back as the new release declares it (quorum, durable). */
    readonly queueMigration?: {
        /** `stop`'s arguments after --tags (e.g. --ignore-missing, which 2025.1's cliff CLI has). */
        readonly stopArgs: readonly string[];
        /** Run kolla's full prechecks once the queues moved (2025.1's CI does). */
        readonly prechecksAfter: boolean;
    };
    /** prechecks' arguments while the hop runs (the queue precheck fails until the queues moved). */
    readonly prechecksArgs: readonly string[];
    /** kolla-ansible commands (action and arguments) that check the cloud after `upgrade`, as kolla's CI does. */
    readonly verify: readonly (readonly string[])[];
}

export interface Release {
    /** The series, as `openstack_release` and the image tags name it. */
    readonly series: string;
    readonly name: string;
    /** openstack/releases data/series_status.yaml, as read for this program (the README's release table). */
    readonly upstream: {
        readonly status: "maintained" | "unmaintained" | "end of life";
        /** The date the status says the next phase begins, when the file gives one. */
        readonly until?: string;
        /** A SLURP release: upgrades may skip the release between two of them. */
        readonly slurp: boolean;
    };
    /** Ubuntu releases kolla supports for the hosts (roles/prechecks/vars/main.yml host_os_distributions). The deploy
     *  host runs the same: its Python must suit the release's ansible-core. */
    readonly hostOs: readonly UbuntuCodename[];
    /** Ubuntu codename of kolla's images (image tag `<series>-ubuntu-<codename>`). */
    readonly ubuntuCodename: UbuntuCodename;
    /** How kolla-ansible's CLI takes its arguments (render/scripts/kolla-cli.sh): `bash`, tools/kolla-ansible up to
     *  2024.1 (`kolla-ansible -i INV ACTION`); `cliff`, the Python application from 2024.2 on (`kolla-ansible ACTION
     *  -i INV`; setup.cfg console_scripts, kolla_ansible/cli/commands.py). */
    readonly kollaCli: "bash" | "cliff";
    /** apt packages the deploy host needs to build the venv (doc/source/user/quickstart.rst of the release). */
    readonly deployHostAptPackages: readonly string[];
    /** pip, setuptools and wheel, exact: installed first, outside the constraints (which name none of them). */
    readonly pipTools: readonly string[];
    /** The deploy host's Python packages, installed by ONE pip resolution under `upperConstraints`, so a later pip
     *  run cannot downgrade what an earlier one installed: kolla-ansible, the ansible-core (and, where kolla needs it,
     *  the `ansible` bundle) its CI runs, and the OpenStack clients. */
    readonly deployHostPackages: readonly string[];
    /** Upper constraints by tag or commit: what CI installs kolla-ansible's dependencies and the clients under. */
    readonly upperConstraints: string;
    /** ansible-collection-kolla from git at an immutable ref, instead of `kolla-ansible install-deps` (whose
     *  requirements.yml names a branch: deleted for ended series, moving for maintained ones). */
    readonly kollaCollection: { readonly repo: string; readonly ref: string };
    /** The Galaxy collections `install-deps` would install from requirements-core.yml (there with upper caps only),
     *  at exact versions within those caps. Empty where the `ansible` bundle brings them. */
    readonly galaxyCollections: readonly GalaxyCollection[];
    /** docker-ce on the targets (ansible-collection-kolla's `docker_apt_package_pin`, an apt version glob);
     *  unpinned, bootstrap-servers installs whatever Docker is newest that day. */
    readonly dockerAptPin: string;
    /** Every group of the release's ansible/inventory/multinode, in file order: the inventory this program writes
     *  is its top groups spliced onto these, and no host may take one of these names (Ansible's patterns pick the
     *  group over the host: ansible-core inventory/manager.py _enumerate_matches looks at groups first). */
    readonly inventoryGroups: readonly string[];
    readonly images: ReleaseImages;
    /** Octavia's jobboard, where the release has one (on by default with Octavia there). */
    readonly octaviaJobboard?: OctaviaJobboard;
    readonly amphora: AmphoraPins;
    /** The hop from the SLURP release before this one; absent on the first release of the path. */
    readonly upgrade?: UpgradeFrom;
}

function deepFreeze<T>(value: T): T {
    if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
        Object.freeze(value);
        for (const item of Object.values(value)) deepFreeze(item);
    }
    return value;
}

export const RELEASES: Readonly<Record<string, Release>> = deepFreeze(
    Object.fromEntries(
        [RELEASE_2023_1, RELEASE_2024_1, RELEASE_2025_1, RELEASE_2026_1].map((r) => [r.series, r]),
    ),
);

export const SUPPORTED_RELEASES: readonly string[] = Object.keys(RELEASES);

/**
 * kolla's SLURP upgrade path, one hop at a time (each branch's `kolla-ansible-*-slurp-upgrade` CI job upgrades from
 * the SLURP release before it): the releases in the order their `upgrade.from` chains them. A stack moves to the next
 * entry only.
 */
export const SLURP_PATH: readonly string[] = (() => {
    const all = Object.values(RELEASES);
    const path = all.filter((r) => !r.upgrade).map((r) => r.series);
    for (let next = all.find((r) => r.upgrade?.from === path[path.length - 1]); next;) {
        path.push(next.series);
        const last = next.series;
        next = all.find((r) => r.upgrade?.from === last);
    }
    return Object.freeze(path);
})();

/** The release a cloud on `series` upgrades to next, if any. */
export function nextRelease(series: string): string | undefined {
    const i = SLURP_PATH.indexOf(series);
    return i >= 0 ? SLURP_PATH[i + 1] : undefined;
}

/** The release recommended for new clouds: the newest maintained SLURP release. */
export const RECOMMENDED_RELEASE = "2026.1";

/** The release entry of `series`, or undefined for one the program does not know. */
export function releaseOf(series: string): Release | undefined {
    return Object.hasOwn(RELEASES, series) ? RELEASES[series] : undefined;
}
