// The demo instance, optional (the smokeTest setting): the seed's verification step, declaratively.
import * as pulumi from "@pulumi/pulumi";
import * as openstack from "@pulumi/openstack";
import { CloudBasics } from "./basics";
import { GlanceImages } from "./images";
import { CloudNetworks } from "./networks";
import { Child } from "./shared";

/** The seed's verification: cirros instance demo1 on the tenant network with a floating IP. */
export class DemoInstance extends pulumi.ComponentResource {
    readonly address: pulumi.Output<string>;

    constructor(
        name: string,
        args: {
            provider: openstack.Provider;
            networks: CloudNetworks;
            basics: CloudBasics;
            images: GlanceImages;
        },
        opts?: pulumi.ComponentResourceOptions,
    ) {
        // The type keeps the name it was deployed with: it is part of every child's URN, and a new one would replace
        // demo1 and its floating IP.
        super("openstack-aio:cloud:SmokeTest", name, {}, opts);
        const c: Child = { parent: this, provider: args.provider };
        // Settings refuse smokeTest without keypairPublicKey, so the keypair exists here.
        const keypair = args.basics.keypair;
        if (!keypair)
            throw new Error(
                "the demo instance needs keypairPublicKey (openstack-aio:keypairPublicKey)",
            );
        const instance = new openstack.compute.Instance(
            `${name}-demo1`,
            {
                name: "demo1",
                imageId: args.images.cirros.id,
                flavorId: args.basics.flavors["m1.tiny"].id,
                keyPair: keypair.name,
                networks: [{ uuid: args.networks.tenant.id }],
            },
            { ...c, dependsOn: [args.networks.tenantSubnet] },
        );
        const fip = new openstack.networking.FloatingIp(
            `${name}-demo1-fip`,
            { pool: args.networks.external.name },
            { ...c, dependsOn: [args.networks.externalSubnet] },
        );
        // The tenant subnet must be on the router before a floating IP can reach the instance.
        const assoc = new openstack.compute.FloatingIpAssociate(
            `${name}-demo1-fip-associate`,
            {
                floatingIp: fip.address,
                instanceId: instance.id,
            },
            { ...c, dependsOn: [args.networks] },
        );
        this.address = assoc.floatingIp;
        this.registerOutputs({ address: this.address });
    }
}
