// cirros, and the Octavia amphora owned by the `service` project.
import * as pulumi from "@pulumi/pulumi";
import * as openstack from "@pulumi/openstack";
import { Settings } from "../../config/settings";

/** An amphora built on the deploy host (AmphoraBuild): where to fetch it and what its bytes hash to. */
export interface BuiltAmphora {
    readonly imageUrl: pulumi.Output<string>;
    readonly sha256: pulumi.Output<string>;
    /** What Glance must report as the uploaded image's checksum (it computes md5). */
    readonly md5: pulumi.Output<string>;
}

/**
 * Glance's checksum of the uploaded amphora (md5 of the bytes it stored) against the build's: a mismatch fails
 * `pulumi up`, naming both and the way out. The upload itself goes through the provider, which verifies only its
 * own download against Glance.
 */
export function verifiedUpload(
    image: openstack.images.Image,
    build: { md5: pulumi.Output<string>; sha256: pulumi.Output<string> },
): pulumi.Output<boolean> {
    return pulumi
        .all([image.checksum, build.md5, build.sha256, image.urn])
        .apply(([glance, built, sha, urn]) => {
            if (glance && built && glance !== built) {
                throw new Error(
                    `the amphora in Glance (md5 ${glance}) is not the image built on the deploy host (md5 ${built}, sha256 ${sha}): ` +
                        `upload it again with \`pulumi up --replace '${urn}'\``,
                );
            }
            return true;
        });
}

export class GlanceImages extends pulumi.ComponentResource {
    readonly cirros: openstack.images.Image;
    readonly amphora?: openstack.images.Image;
    /** True once Glance's checksum matched the build's (built amphorae only). */
    readonly amphoraVerified?: pulumi.Output<boolean>;

    constructor(
        name: string,
        args: {
            settings: Settings;
            provider: openstack.Provider;
            octaviaProvider?: openstack.Provider;
            amphora?: BuiltAmphora;
        },
        opts?: pulumi.ComponentResourceOptions,
    ) {
        super("openstack-aio:cloud:GlanceImages", name, {}, opts);
        const { settings } = args;
        this.cirros = new openstack.images.Image(
            `${name}-cirros`,
            {
                name: "cirros",
                imageSourceUrl: settings.cirros.url,
                // Glance fetches the URL itself, so the bytes do not stream through the machine running Pulumi.
                webDownload: settings.imageWebDownload,
                diskFormat: "qcow2",
                containerFormat: "bare",
                visibility: "public",
                properties: { os_type: "linux" },
            },
            { parent: this, provider: args.provider },
        );

        if (settings.services.octavia && args.octaviaProvider) {
            const fromBuild = settings.amphora.source === "build";
            const built = fromBuild ? args.amphora : undefined;
            if (fromBuild && !built)
                throw new Error("amphoraSource is build but no AmphoraBuild was given");
            const url = built ? built.imageUrl : settings.amphora.url;
            if (url === undefined)
                throw new Error("amphoraSource is url but amphoraImageUrl is not set");
            this.amphora = new openstack.images.Image(
                `${name}-amphora`,
                {
                    name: "amphora-x64-haproxy",
                    imageSourceUrl: url,
                    // Glance's import filter allows only ports 80/443 by default, so the deploy host's image server
                    // (port 8090) is read by the provider; a public URL can go through web-download.
                    webDownload: fromBuild ? false : settings.imageWebDownload,
                    diskFormat: "qcow2",
                    containerFormat: "bare",
                    visibility: "private",
                    // octavia.conf: amp_image_tag = amphora, amp_image_owner_id = the service project.
                    tags: ["amphora"],
                    properties: {
                        hw_architecture: "x86_64",
                        hw_rng_model: "virtio",
                        ...(built ? { openstack_aio_sha256: built.sha256 } : {}),
                    },
                },
                { parent: this, provider: args.octaviaProvider },
            );
            if (built) this.amphoraVerified = verifiedUpload(this.amphora, built);
        }
        this.registerOutputs({ amphoraVerified: this.amphoraVerified });
    }
}
