// Handles one stage passes to the next. Outputs carry the ordering: a value derived from a command's output
// makes everything built from it wait for that command.
import * as pulumi from "@pulumi/pulumi";

/** What the cloud stage needs from the deployment (all derived from the post-deploy command's outputs). */
export interface CloudAccess {
    /** Keystone public endpoint, e.g. http://10.10.30.55:5000 (https with TLS). */
    readonly authUrl: pulumi.Output<string>;
    readonly region: pulumi.Output<string>;
    readonly adminUser: string;
    readonly adminProject: string;
    /** User and project domain. */
    readonly adminDomain: string;
    /** keystone_admin_password, a secret. */
    readonly adminPassword: pulumi.Output<string>;
    /** octavia_keystone_password (user `octavia`, project `service`), a secret; only with Octavia. */
    readonly octaviaPassword?: pulumi.Output<string>;
    /** With TLS: the PEM of the CA kolla's `certificates` stage made (public), which the provider trusts. */
    readonly caCertificate?: pulumi.Output<string>;
}
