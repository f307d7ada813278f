// Stage 2: the local registry (registry:2) on the deploy host, kolla's docker_registry.
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { Settings } from "../config/settings";

/** Pinned: a registry:2 tag moves. */
export const REGISTRY_IMAGE = "registry:2.8.3";
const REGISTRY_INTERNAL_PORT = 5000;

export interface LocalRegistryArgs {
    settings: Settings;
    provider: docker.Provider;
}

export class LocalRegistry extends pulumi.ComponentResource {
    /** `<management address>:<port>`: what kolla pulls from (derived from the container, so users wait for it). */
    readonly address: pulumi.Output<string>;
    /** `127.0.0.1:<port>`: where the mirror pushes, on the deploy host itself. */
    readonly localEndpoint: pulumi.Output<string>;
    readonly container: docker.Container;
    readonly volume: docker.Volume;
    readonly image: docker.RemoteImage;

    constructor(name: string, args: LocalRegistryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("openstack-aio:registry:LocalRegistry", name, {}, opts);
        const { settings, provider } = args;
        const { port, mode, source } = settings.registry;
        const mgmt = settings.deployHost.managementAddress;
        const child = { parent: this, provider };

        this.image = new docker.RemoteImage(`${name}-image`, { name: REGISTRY_IMAGE, keepLocally: true }, child);
        // Mirrored images live here: never destroyed or replaced by Pulumi, and kept if the stack lets go of it.
        this.volume = new docker.Volume(`${name}-data`, { name: "openstack-aio-registry" }, { ...child, protect: true, retainOnDelete: true });
        this.container = new docker.Container(`${name}-container`, {
            name: "registry",
            // The image id, not the tag: a second `up` with the same image shows no diff.
            image: this.image.imageId,
            restart: "always",
            // Published on the management address (targets pull) and loopback (the mirror pushes), never 0.0.0.0.
            ports: [mgmt, "127.0.0.1"].map((ip) => ({ internal: REGISTRY_INTERNAL_PORT, external: port, ip })),
            volumes: [{ volumeName: this.volume.name, containerPath: "/var/lib/registry" }],
            envs: [
                "REGISTRY_STORAGE_DELETE_ENABLED=false",
                ...(mode === "pull-through" ? [`REGISTRY_PROXY_REMOTEURL=https://${source}`] : []),
            ],
        }, child);
        this.address = this.container.id.apply(() => `${mgmt}:${port}`);
        this.localEndpoint = this.container.id.apply(() => `127.0.0.1:${port}`);
        this.registerOutputs({ address: this.address, localEndpoint: this.localEndpoint });
    }
}
