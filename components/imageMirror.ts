// Stage 3: one registry-to-registry copy per kolla image the enabled services need, on the deploy host.
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import { Settings } from "../config/settings";
import { DeployHostDocker } from "./dockerHost";
import { KollaImage, kollaImages } from "./images";
import { LocalRegistry } from "./registry";
import type * as commandInputs from "@pulumi/command/types/input";
import { remoteCommand, runScriptCommand } from "./remote";
import { renderScript, Script, scriptBody } from "./script";

/** Pinned skopeo, run as a container so the deploy host needs nothing but Docker. */
export const SKOPEO_IMAGE = "quay.io/skopeo/stable:v1.16.1";

/**
 * Host directory holding skopeo's blob-info cache for every copy (a cache: deleting it costs repeated downloads,
 * never correctness). It is what lets a copy mount a layer another image already brought into the local registry.
 */
export const BLOB_CACHE_DIR = "/var/cache/openstack-aio/skopeo-blob-info";

export function mirrorScript(image: KollaImage, localEndpoint: string, skopeoImage: string, blobCache = BLOB_CACHE_DIR): Script {
    return renderScript(`mirror-image-${image.name}.sh`, {
        SOURCE: image.source,
        DEST: `${localEndpoint}/${image.path}`,
        SKOPEO_IMAGE: skopeoImage,
        BLOB_CACHE: blobCache,
    }, scriptBody("mirror-image.sh"));
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
    for (const n of names) families.set(imageFamily(n), [...(families.get(imageFamily(n)) ?? []), n]);
    let lead: string | undefined;
    let best = 0;
    for (const members of families.values()) {
        if (members.length > best) { best = members.length; lead = members[0]; }
    }
    const waits = new Map<string, string | undefined>();
    for (const n of names) {
        const first = families.get(imageFamily(n))![0];
        waits.set(n, n === lead ? undefined : n === first ? lead : first);
    }
    return waits;
}

export interface KollaImageMirrorArgs {
    settings: Settings;
    images: KollaImage[];
    /** The deploy host's connection, its host key pinned (DeployHost.connection). */
    connection: commandInputs.remote.ConnectionArgs;
    registry: LocalRegistry;
    docker: DeployHostDocker;
}

export class KollaImageMirror extends pulumi.ComponentResource {
    /** Image name → mirrored manifest digest. */
    readonly digests: pulumi.Output<Record<string, string>>;
    /** Images copied into the registry (0 in pull-through mode, where kolla pulls through the cache). */
    readonly count: number;
    readonly copies: command.remote.Command[];

    constructor(name: string, args: KollaImageMirrorArgs, opts?: pulumi.ComponentResourceOptions) {
        super("openstack-aio:registry:KollaImageMirror", name, {}, opts);
        const { settings, images, registry } = args;
        this.copies = [];
        if (settings.registry.mode === "mirror") {
            const skopeo = new docker.RemoteImage(`${name}-skopeo`, { name: SKOPEO_IMAGE, keepLocally: true }, { parent: this, provider: args.docker.provider });
            const connection = args.connection;
            const waits = mirrorWaits(images.map((i) => i.name));
            const byName = new Map<string, command.remote.Command>();
            // Created lead first, then each family's first image, then the rest, so every wait names a created copy.
            const rank = (i: KollaImage) => { const w = waits.get(i.name); return w === undefined ? 0 : waits.get(w) === undefined ? 1 : 2; };
            for (const image of [...images].sort((a, b) => rank(a) - rank(b))) {
                // Each copy waits for the registry container (through localEndpoint), skopeo (through its image id)
                // and the copy that brings its shared layers (mirrorWaits); within a wave the engine runs them in parallel.
                const script = pulumi.all([registry.localEndpoint, skopeo.imageId]).apply(([endpoint, skopeoId]) => mirrorScript(image, endpoint, skopeoId).text);
                const after = waits.get(image.name);
                const copy = remoteCommand(`${name}-${image.name}`, {
                    connection,
                    create: runScriptCommand(),
                    stdin: script,
                }, { parent: this, dependsOn: [registry.container, ...(after ? [byName.get(after)!] : [])], customTimeouts: { create: "45m", update: "45m" } });
                byName.set(image.name, copy);
            }
            this.copies.push(...images.map((i) => byName.get(i.name)!));
        }
        this.count = this.copies.length;
        const names = settings.registry.mode === "mirror" ? images.map((i) => i.name) : [];
        this.digests = pulumi.all(this.copies.map((c) => c.stdout)).apply((outs) =>
            Object.fromEntries(outs.map((o, i) => [names[i], o.trim().split("\n").pop() ?? ""])));
        this.registerOutputs({ digests: this.digests, count: this.count });
    }
}

/** Scripts for review (`npm run render`): the skopeo image as its pinned tag, the endpoint as on the host. */
export function renderedScripts(settings: Settings): Script[] {
    if (settings.registry.mode !== "mirror") return [];
    return kollaImages(settings).map((i) => mirrorScript(i, `127.0.0.1:${settings.registry.port}`, SKOPEO_IMAGE));
}
