// The registry-to-registry copy of each kolla image, and the order the copies run in.
import { KollaImage } from "./images";
import { renderScript, Script, scriptBody } from "./script";

/**
 * Host directory holding skopeo's blob-info cache for every copy (a cache: deleting it costs repeated downloads,
 * never correctness). It is what lets a copy mount a layer another image already brought into the local registry.
 */
export const BLOB_CACHE_DIR = "/var/cache/openstack-aio/skopeo-blob-info";

/** Where a copy pushes: the writable registry's endpoint, and the network a copy joins to reach it. */
export interface LocalRegistryEndpoint {
    /** `127.0.0.1:5000`: the registry listens on the loopback of its own network namespace only. */
    readonly endpoint: string;
    /** `container:registry`: `docker run --network` joins that namespace (LocalRegistry.localNetwork). */
    readonly network: string;
}

/** The writable registry's container (components/registry/localRegistry.ts). */
export const REGISTRY_CONTAINER = "registry";
/** The writable registry as the copies reach it: on the loopback of its own network namespace, which they join. */
export const LOCAL_REGISTRY: LocalRegistryEndpoint = {
    endpoint: "127.0.0.1:5000",
    network: `container:${REGISTRY_CONTAINER}`,
};

export function mirrorScript(
    image: KollaImage,
    local: LocalRegistryEndpoint,
    skopeoImage: string,
    blobCache = BLOB_CACHE_DIR,
): Script {
    return renderScript(
        `mirror-image-${image.name}.sh`,
        {
            SOURCE: image.source,
            DEST: `${local.endpoint}/${image.path}`,
            NETWORK: local.network,
            SKOPEO_IMAGE: skopeoImage,
            BLOB_CACHE: blobCache,
        },
        scriptBody("mirror-image.sh"),
    );
}

/** nova-api, nova-compute → nova: kolla names an image after its service (docker/<service>/<image>/ in kolla). */
export const imageFamily = (name: string) => name.split("-")[0];

/**
 * Which copy each image waits for (undefined: none), so that a layer shared by several images crosses from the
 * source once: a copy can only mount a layer that an earlier, finished copy uploaded. Kolla's images are layered
 * base ← openstack-base ← <service>-base ← image (kolla docker/openstack-base/Dockerfile.j2 is FROM base,
 * docker/nova/nova-base/Dockerfile.j2 FROM openstack-base, docker/mariadb/mariadb-server FROM mariadb-base), so:
 *  1. the lead, the first image of the largest family, copies the base layers alone;
 *  2. the first image of every other family waits for the lead and brings its family's base;
 *  3. every other image waits for its family's first image and brings only its own layers.
 * Three waves, each as parallel as the engine allows.
 */
export function mirrorWaits(names: readonly string[]): Map<string, string | undefined> {
    const families = new Map<string, string[]>();
    for (const n of names)
        families.set(imageFamily(n), [...(families.get(imageFamily(n)) ?? []), n]);
    let lead: string | undefined;
    let best = 0;
    for (const members of families.values()) {
        if (members.length > best) {
            best = members.length;
            lead = members[0];
        }
    }
    const waits = new Map<string, string | undefined>();
    for (const n of names) {
        const first = families.get(imageFamily(n))?.[0];
        waits.set(n, n === lead ? undefined : n === first ? lead : first);
    }
    return waits;
}

/** The wave of an image in mirrorWaits' order: 0 the lead, 1 a family's first, 2 the rest. */
export function mirrorWave(waits: ReadonlyMap<string, string | undefined>, name: string): number {
    const w = waits.get(name);
    return w === undefined ? 0 : waits.get(w) === undefined ? 1 : 2;
}
