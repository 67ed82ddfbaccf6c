package org.pathoreason.cli;

import picocli.CommandLine;

final class VersionProvider implements CommandLine.IVersionProvider {

    @Override
    public String[] getVersion() {
        String v = PathoReasonCli.class.getPackage().getImplementationVersion();
        return new String[] {"pathoreason " + (v == null ? "dev" : v)};
    }
}
