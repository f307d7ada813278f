// openstack-aio: bare Ubuntu hosts → OpenStack (kolla-ansible, the release config/releases describes) → first
// networks and images.
// Load the stack's configuration (every problem reported before anything is registered), refuse a release change that
// is not one SLURP hop from what the stack last deployed, build the stages in order (deployment.ts), export what other
// stacks consume (docs/cloud.md "The stack outputs"). An async program: Pulumi awaits it and exports what it returns.
import * as pulumi from "@pulumi/pulumi";
import { checkPriorDeployment, loadConfig, loadPriorDeployment } from "./config";
import { deployOpenstack } from "./deployment";

export = async () => {
    const { settings, secrets } = loadConfig();
    // Its own last outputs: the release and the hosts' Ubuntu the cloud runs. Read before any resource is registered.
    const prior = await loadPriorDeployment();
    checkPriorDeployment(settings, prior);
    const { deployHost, targets, registry, mirror, kolla, cloud } = deployOpenstack(
        settings,
        secrets,
        prior,
    );
    return {
        authUrl: cloud.authUrl,
        horizonUrl: cloud.horizonUrl,
        region: cloud.region,
        externalNetworkId: cloud.externalNetworkId,
        externalSubnetId: cloud.externalSubnetId,
        tenantNetworkId: cloud.tenantNetworkId,
        tenantSubnetId: cloud.tenantSubnetId,
        routerId: cloud.routerId,
        cirrosImageId: cloud.cirrosImageId,
        amphoraImageId: cloud.amphoraImageId,
        flavorIds: cloud.flavorIds,
        keypairName: cloud.keypairName,
        smokeTestAddress: cloud.smokeTestAddress,
        registryAddress: registry.address,
        mirroredImageCount: mirror.count,
        /** Image name → the manifest digest mirrored (kolla's tags on quay are rebuilt: this is what the cloud runs). */
        mirroredImageDigests: mirror.digests,
        /** The release the cloud runs: known once the deploy stage succeeded with it (the next run's hop check). */
        deployedRelease: kolla.deployedRelease,
        /** The Ubuntu every host was found running at first contact (the next run's hop check). */
        hostOs: targets.hostKeys.apply(() => settings.hostOs),
        adminOpenrcPath: kolla.adminOpenrcPath,
        /** The SSH host keys every connection checks (configured, or recorded on first contact): public, for review. */
        deployHostKey: pulumi.unsecret(deployHost.hostKey),
        targetHostKeys: targets.hostKeysByName,
        adminPassword: pulumi.secret(kolla.access.adminPassword),
        /** /etc/kolla/passwords.yml, encrypted in the stack: restore it to a deploy host that lost it (docs/security.md "Passwords"). */
        kollaPasswords: pulumi.secret(deployHost.kollaPasswords),
    };
};
