// cirros (the Octavia amphora is uploaded by AmphoraBuild, from the deploy host).
import * as pulumi from "@pulumi/pulumi";
import * as openstack from "@pulumi/openstack";
import { Settings } from "../../config/settings";

export class GlanceImages extends pulumi.ComponentResource {
    readonly cirros: openstack.images.Image;

    constructor(
        name: string,
        args: {
            settings: Settings;
            provider: openstack.Provider;
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

        this.registerOutputs({ cirrosId: this.cirros.id });
    }
}
