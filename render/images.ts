// The exact kolla images the enabled services run: the release's image names (config/releases) for the services
// the settings enable, at the release's tag.
import { OctaviaJobboard } from "../config/releases";
import { Settings } from "../config/settings";

export interface KollaImage {
    readonly name: string;
    readonly tag: string;
    /** quay.io/openstack.kolla/nova-api:2023.1-ubuntu-jammy */
    readonly source: string;
    /** openstack.kolla/nova-api:2023.1-ubuntu-jammy */
    readonly path: string;
    /** <registry address>/<path>: what kolla pulls. */
    readonly target: string;
}

/** The store of Octavia's jobboard this stack deploys: Octavia on, the release has a jobboard, octaviaJobboard on. */
export function jobboardStore(settings: Settings): OctaviaJobboard | undefined {
    const jobboard = settings.pins.octaviaJobboard;
    return settings.services.octavia && settings.octaviaJobboard ? jobboard : undefined;
}

export function imageTag(settings: Settings): string {
    return `${settings.release}-${settings.baseDistro}-${settings.pins.ubuntuCodename}`;
}

export function kollaImages(settings: Settings): KollaImage[] {
    const { images } = settings.pins;
    const names = [
        ...images.core,
        ...(settings.services.heat ? images.heat : []),
        ...(settings.services.horizon ? images.horizon : []),
        ...(settings.services.octavia ? images.octavia : []),
        ...(jobboardStore(settings)?.images ?? []),
    ];
    const tag = imageTag(settings);
    const { source, namespace, address } = settings.registry;
    return [...new Set(names)].sort().map((name) => {
        const path = `${namespace}/${name}:${tag}`;
        return { name, tag, source: `${source}/${path}`, path, target: `${address}/${path}` };
    });
}

// The containers this program runs on the deploy host itself, besides kolla's: each pinned to content that cannot move.
/**
 * registry:2 (distribution v2.8.3), kolla's docker_registry, by digest: Docker resolves `name:tag@digest` by the
 * digest alone (moby v24.0.7 reference/store.go Get: "If reference contains both tag and digest, only lookup by
 * digest"; client/image_pull.go sends the digest as the tag). The digest is the one public projects pin for
 * registry:2.8.3 (seven independent repositories agree).
 */
export const REGISTRY_IMAGE =
    "registry:2.8.3@sha256:a3d8aaa63ed8681a604f1dea0aa03f100d5895b6a58ace528858a7b332415373";
/**
 * skopeo 1.16.1, run as a container so the deploy host needs nothing but Docker. An immutable tag: containers/
 * image_build (README "quay.io/containers/*:<version>-immutable": "version-tags are never overwritten once pushed";
 * ci/tag_version.sh pushes <version>-immutable only when it does not exist yet), unlike quay.io/skopeo/stable:v1.16.1,
 * which is rebuilt, and whose old digests quay expires.
 */
export const SKOPEO_IMAGE = "quay.io/containers/skopeo:v1.16.1-immutable";
