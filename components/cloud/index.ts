// Stage 8: the cloud's first resources (kolla's init-runonce, declaratively); the amphora comes from stage 7.
import * as pulumi from "@pulumi/pulumi";
import * as openstack from "@pulumi/openstack";
import { Settings } from "../../config/settings";
import type { CloudAccess } from "../kolla/kollaDeployment";
import { CloudBasics } from "./basics";
import { GlanceImages } from "./images";
import { CloudNetworks } from "./networks";
import { horizonUrl } from "./shared";
import { DemoInstance } from "./demoInstance";

export {
    INIT_RUNONCE_FLAVORS,
    INIT_RUNONCE_QUOTAS,
    INIT_RUNONCE_RULES,
    horizonUrl,
} from "./shared";

export interface CloudArgs {
    settings: Settings;
    access: CloudAccess;
    /** With Octavia: the amphora image AmphoraBuild uploaded, tagged and verified (its id). */
    amphoraImageId?: pulumi.Output<string>;
}

export class Cloud extends pulumi.ComponentResource {
    readonly provider: openstack.Provider;
    readonly authUrl: pulumi.Output<string>;
    readonly horizonUrl: string;
    readonly region: pulumi.Output<string>;
    readonly externalNetworkId: pulumi.Output<string>;
    readonly externalSubnetId: pulumi.Output<string>;
    readonly tenantNetworkId: pulumi.Output<string>;
    readonly tenantSubnetId: pulumi.Output<string>;
    readonly routerId: pulumi.Output<string>;
    readonly cirrosImageId: pulumi.Output<string>;
    readonly amphoraImageId: pulumi.Output<string | undefined>;
    readonly flavorIds: pulumi.Output<Record<string, string>>;
    readonly keypairName: pulumi.Output<string | undefined>;
    readonly smokeTestAddress: pulumi.Output<string | undefined>;
    readonly adminPassword: pulumi.Output<string>;

    constructor(name: string, args: CloudArgs, opts?: pulumi.ComponentResourceOptions) {
        super("openstack-aio:cloud:Cloud", name, {}, opts);
        const { settings, access } = args;
        // Every arg comes from the deployment's outputs (derived from post-deploy): the provider configures itself
        // only once the cloud exists. Nothing is read from clouds.yaml or OS_* on the machine running Pulumi.
        const auth = {
            authUrl: access.authUrl,
            region: access.region,
            userDomainName: access.adminDomain,
            projectDomainName: access.adminDomain,
            // terraform-provider-openstack reads cacert_file as a path or the PEM itself (pathorcontents.Read):
            // kolla's own CA, so TLS is verified, never `insecure`.
            ...(access.caCertificate ? { cacertFile: access.caCertificate } : {}),
        };
        this.provider = new openstack.Provider(
            `${name}-admin`,
            {
                ...auth,
                userName: access.adminUser,
                tenantName: access.adminProject,
                password: pulumi.secret(access.adminPassword),
            },
            { parent: this },
        );
        const networks = new CloudNetworks(
            `${name}-networks`,
            { settings, provider: this.provider },
            { parent: this },
        );
        const basics = new CloudBasics(
            `${name}-basics`,
            { settings, provider: this.provider },
            { parent: this },
        );
        const images = new GlanceImages(
            `${name}-images`,
            { settings, provider: this.provider },
            { parent: this },
        );
        const demo = settings.smokeTest
            ? new DemoInstance(
                  `${name}-smoke`,
                  { provider: this.provider, networks, basics, images },
                  { parent: this },
              )
            : undefined;

        this.authUrl = access.authUrl;
        this.horizonUrl = horizonUrl(settings);
        this.region = access.region;
        this.externalNetworkId = networks.external.id;
        this.externalSubnetId = networks.externalSubnet.id;
        this.tenantNetworkId = networks.tenant.id;
        this.tenantSubnetId = networks.tenantSubnet.id;
        this.routerId = networks.router.id;
        this.cirrosImageId = images.cirros.id;
        this.amphoraImageId = args.amphoraImageId ?? pulumi.output(undefined);
        this.flavorIds = pulumi.all(
            Object.fromEntries(Object.entries(basics.flavors).map(([n, f]) => [n, f.id])),
        );
        this.keypairName = basics.keypair ? basics.keypair.name : pulumi.output(undefined);
        this.smokeTestAddress = demo ? demo.address : pulumi.output(undefined);
        this.adminPassword = pulumi.secret(access.adminPassword);
        this.registerOutputs({
            authUrl: this.authUrl,
            horizonUrl: this.horizonUrl,
            region: this.region,
            externalNetworkId: this.externalNetworkId,
            externalSubnetId: this.externalSubnetId,
            tenantNetworkId: this.tenantNetworkId,
            tenantSubnetId: this.tenantSubnetId,
            routerId: this.routerId,
            cirrosImageId: this.cirrosImageId,
            amphoraImageId: this.amphoraImageId,
            flavorIds: this.flavorIds,
            keypairName: this.keypairName,
            smokeTestAddress: this.smokeTestAddress,
            adminPassword: this.adminPassword,
        });
    }
}
