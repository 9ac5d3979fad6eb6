import { expect } from "chai";
import { ethers } from "hardhat";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { evmNetworks } from "../../src/config/networks";
import { readDeployment } from "../../src/config/deployments";
import { deployEvm } from "../../src/deploy/evm-deploy";
import { UsageReportVerifier__factory } from "../../src/evm/typechain";

describe("deploy:evm", () => {
  let dir: string;
  const log: string[] = [];

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ff-evm-"));
    log.length = 0;
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const run = async (network = evmNetworks.hardhat) => {
    const [deployer] = await ethers.getSigners();
    return deployEvm({ network, deployer: deployer!, yes: false, log: (l) => log.push(l), deploymentsDir: dir });
  };

  it("deploys the harness and the verifier, then a second run changes nothing and says so", async () => {
    const first = await run();
    expect(first.deployed).to.include("UsageReportVerifier");
    const address = readDeployment("hardhat", dir).evm?.contracts.UsageReportVerifier?.address;
    expect(address).to.match(/^0x[0-9a-fA-F]{40}$/);
    const before = fs.readFileSync(path.join(dir, "hardhat.json"), "utf8");

    const second = await run();
    expect(second).to.deep.equal({ deployed: [], configured: [], unchanged: ["UsageReportVerifier"], sent: false });
    expect(log.join("\n")).to.contain("nothing to do");
    expect(fs.readFileSync(path.join(dir, "hardhat.json"), "utf8")).to.equal(before);
  });

  it("brings a changed publisher URL up to date on the same contract", async () => {
    await run();
    const address = readDeployment("hardhat", dir).evm!.contracts.UsageReportVerifier!.address;
    const moved = await run({ ...evmNetworks.hardhat, publisherBaseUrl: "https://reports.example.org" });
    expect(moved.configured).to.deep.equal(["publisherBaseUrl"]);
    const [deployer] = await ethers.getSigners();
    const verifier = UsageReportVerifier__factory.connect(address, deployer!);
    expect(await verifier.publisherBaseUrl()).to.equal("https://reports.example.org");
  });

  it("sends nothing to a live network without --yes", async () => {
    const result = await run({ ...evmNetworks.hardhat, live: true });
    expect(result.sent).to.equal(false);
    expect(fs.existsSync(path.join(dir, "hardhat.json"))).to.equal(false);
    expect(log.join("\n")).to.contain("nothing sent");
  });
});
