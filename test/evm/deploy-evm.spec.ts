import { expect } from "chai";
import { ethers } from "hardhat";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { evmNetworks } from "../../src/config/networks";
import { readDeployment } from "../../src/config/deployments";
import { deployEvm } from "../../src/deploy/evm-deploy";
import { UsageReportVerifier__factory } from "../../src/evm/typechain";
import { deployFdcHarness } from "../../src/fdc/harness";
import { attest, BASE_URL, makeLines, windowAt } from "./helpers/report-fixture";
import { time } from "@nomicfoundation/hardhat-network-helpers";

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

  it("deploys with the network's window length and brings a changed one up to date before the first verification", async () => {
    await run({ ...evmNetworks.hardhat, windowSeconds: 30 });
    const address = readDeployment("hardhat", dir).evm!.contracts.UsageReportVerifier!.address;
    const [deployer] = await ethers.getSigners();
    const verifier = UsageReportVerifier__factory.connect(address, deployer!);
    expect(await verifier.windowSeconds()).to.equal(30n);

    const changed = await run({ ...evmNetworks.hardhat, windowSeconds: 300 });
    expect(changed.configured).to.deep.equal(["windowSeconds"]);
    expect(await verifier.windowSeconds()).to.equal(300n);
    expect(readDeployment("hardhat", dir).evm!.contracts.UsageReportVerifier!.address).to.equal(address);
    const again = await run({ ...evmNetworks.hardhat, windowSeconds: 300 });
    expect(again.unchanged).to.deep.equal(["UsageReportVerifier"]);
  });

  it("refuses, sending nothing, to change the window length of a verifier that verified windows", async () => {
    const [deployer] = await ethers.getSigners();
    const harness = await deployFdcHarness(deployer!);
    const network = { ...evmNetworks.hardhat, publisherBaseUrl: BASE_URL, windowSeconds: 300 };
    await run(network);
    const address = readDeployment("hardhat", dir).evm!.contracts.UsageReportVerifier!.address;
    const verifier = UsageReportVerifier__factory.connect(address, deployer!);
    const window = windowAt(await time.latest()) - 1n;
    await (await verifier.submit((await attest(harness, window, makeLines(1))).proof)).wait();
    const record = fs.readFileSync(path.join(dir, "hardhat.json"), "utf8");

    let message = "";
    await run({ ...network, windowSeconds: 30 }).catch((error: unknown) => (message = String(error)));
    expect(message).to.contain("verified windows of 300 s").and.to.contain("Nothing sent");
    expect(await verifier.windowSeconds()).to.equal(300n);
    expect(fs.readFileSync(path.join(dir, "hardhat.json"), "utf8")).to.equal(record);
  });

  it("refuses a window length the verifier cannot take before sending anything", async () => {
    for (const bad of [0, 86_401, Number.NaN, 2.5]) {
      let message = "";
      await run({ ...evmNetworks.hardhat, windowSeconds: bad }).catch((error: unknown) => (message = String(error)));
      expect(message).to.contain("window length must be a whole number of seconds");
      expect(fs.existsSync(path.join(dir, "hardhat.json"))).to.equal(false);
    }
  });

  it("sends nothing to a live network without --yes", async () => {
    const result = await run({ ...evmNetworks.hardhat, live: true });
    expect(result.sent).to.equal(false);
    expect(fs.existsSync(path.join(dir, "hardhat.json"))).to.equal(false);
    expect(log.join("\n")).to.contain("nothing sent");
  });
});
