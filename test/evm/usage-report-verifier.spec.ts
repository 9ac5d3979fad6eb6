import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { anyUint } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { AbiCoder, encodeBytes32String, ZeroHash, type FunctionFragment } from "ethers";
import {
  attest,
  BASE_URL,
  deployVerifierFixture,
  linesForChain,
  makeLines,
  requestBodyFor,
  requestSpec,
  verifierState,
  windowAt,
  WINDOWS,
  type Attested,
  type Deployed,
} from "./helpers/report-fixture";
import { encodeSummary, REPORT_DOMAIN, reportDigest, summarize, summaryUrl, UINT64_MAX, WINDOW_SECONDS_BOUNDS } from "../../src/report";
import { UsageReportVerifier__factory } from "../../src/evm/typechain";
import { FLARE_CONTRACT_REGISTRY_ADDRESS } from "../../src/fdc/harness";
import type { Web2JsonAttestation } from "../../src/fdc";

/** The verifier's tolerance for a window end beyond the chain's clock (MAX_CLOCK_SKEW), in seconds. */
const SKEW = 30n;
/** Explicit gas: no estimate, so the transaction runs in the block whose timestamp the test set. */
const GAS = { gasLimit: 2_000_000 };

/** Field numbers of UsageReportVerifier.RequestField. */
const Field = { HttpMethod: 0, Headers: 1, QueryParams: 2, Body: 3, PostProcessJq: 4, AbiSignature: 5 } as const;

describe("UsageReportVerifier", function () {
  let d: Deployed;

  beforeEach(async function () {
    d = await loadFixture(deployVerifierFixture);
  });

  describe("deployment", function () {
    it("pins the publisher and the request, and reads FDC through Flare's registry address", async function () {
      const { verifier, owner, harness } = d;
      expect(await verifier.owner()).to.equal(await owner.getAddress());
      expect(await verifier.publisherBaseUrl()).to.equal(BASE_URL);
      expect(await verifier.sourceId()).to.equal(requestSpec().sourceId);
      expect(await verifier.reportDomain()).to.equal(REPORT_DOMAIN);
      expect(await verifier.expectedUrl(123n)).to.equal(`${BASE_URL}/reports/123/summary`);
      expect(await verifier.expectedUrl(0n)).to.equal(`${BASE_URL}/reports/0/summary`);
      expect(await verifier.lastWindow()).to.deep.equal([false, 0n]);
      expect(await verifier.windowSeconds()).to.equal(BigInt(WINDOWS.seconds));
      expect(await verifier.MAX_CLOCK_SKEW()).to.equal(SKEW);
      expect(await ethers.provider.getCode(FLARE_CONTRACT_REGISTRY_ADDRESS)).to.not.equal("0x");
      expect(await harness.registry.getContractAddressByName("FdcVerification")).to.equal(
        await harness.fdcVerification.getAddress(),
      );
    });
  });

  it("exposes exactly its documented interface: state changes only through submit and the owner's setters", async function () {
    const functions = d.verifier.interface.fragments.filter((f): f is FunctionFragment => f.type === "function");
    const changing = functions.filter((f) => !f.constant).map((f) => f.name).sort();
    expect(changing).to.deep.equal(["renounceOwnership", "setPublisherBaseUrl", "setRequestSpec", "setWindowSeconds", "submit", "transferOwnership"]);
    const views = functions.filter((f) => f.constant).map((f) => f.name).sort();
    expect(views).to.deep.equal([
      "MAX_CLOCK_SKEW",
      "MAX_WINDOW_SECONDS",
      "MIN_WINDOW_SECONDS",
      "WEB2JSON_ATTESTATION_TYPE",
      "checkLines",
      "digestOf",
      "expectedUrl",
      "isVerified",
      "lastWindow",
      "owner",
      "publisherBaseUrl",
      "reportDigest",
      "reportDomain",
      "reportOf",
      "requestSpecHash",
      "sourceId",
      "votingRoundOf",
      "windowSeconds",
    ]);
  });

  it("refuses to deploy with a window length out of bounds", async function () {
    const { owner, verifier } = d;
    const factory = new UsageReportVerifier__factory(owner);
    for (const bad of [0n, 86_401n]) {
      await expect(factory.deploy(await owner.getAddress(), BASE_URL, requestSpec(), bad))
        .to.be.revertedWithCustomError(verifier, "InvalidWindowSeconds")
        .withArgs(bad);
    }
  });

  describe("windows that have not ended (a summary of the future would block every real window)", function () {
    it("refuses a future window with WindowNotEnded, changing nothing; the real windows then verify", async function () {
      const { verifier, harness, firstWindow } = d;
      const future = windowAt(await time.latest()) + 100n;
      const windows = [firstWindow, firstWindow + 1n, future];
      const before = await verifierState(verifier, windows);
      const attack = await attest(harness, future, makeLines(1));
      await expect(verifier.submit(attack.proof))
        .to.be.revertedWithCustomError(verifier, "WindowNotEnded")
        .withArgs((future + 1n) * BigInt(WINDOWS.seconds), anyUint);
      expect(await verifierState(verifier, windows)).to.equal(before);

      for (const w of [firstWindow, firstWindow + 1n]) {
        const real = await attest(harness, w, makeLines(2));
        await expect(verifier.submit(real.proof)).to.emit(verifier, "UsageReportVerified");
      }
      expect(await verifier.lastWindow()).to.deep.equal([true, firstWindow + 1n]);
    });

    it("accepts a window whose end is exactly the block's time plus the skew, refuses one second earlier", async function () {
      const { verifier, harness } = d;
      const window = windowAt(await time.latest()) + 2n;
      const end = (window + 1n) * BigInt(WINDOWS.seconds);
      const a = await attest(harness, window, makeLines(1));
      const before = await verifierState(verifier, [window]);

      await time.setNextBlockTimestamp(end - SKEW - 1n);
      await expect(verifier.submit(a.proof, GAS))
        .to.be.revertedWithCustomError(verifier, "WindowNotEnded")
        .withArgs(end, end - SKEW - 1n);
      expect(await verifierState(verifier, [window])).to.equal(before);

      await time.setNextBlockTimestamp(end - SKEW);
      await expect(verifier.submit(a.proof, GAS)).to.emit(verifier, "UsageReportVerified");
      expect(await verifier.lastWindow()).to.deep.equal([true, window]);
    });

    it("refuses the window in progress", async function () {
      const { verifier, harness } = d;
      const now = BigInt(await time.latest()) + 1n;
      const window = windowAt(Number(now)) + 1n;
      const start = window * BigInt(WINDOWS.seconds);
      const a = await attest(harness, window, makeLines(1));
      await time.setNextBlockTimestamp(start + 1n);
      await expect(verifier.submit(a.proof, GAS))
        .to.be.revertedWithCustomError(verifier, "WindowNotEnded")
        .withArgs(start + BigInt(WINDOWS.seconds), start + 1n);
    });

    it("refuses the largest window id without overflowing", async function () {
      const { verifier, harness } = d;
      const a = await attest(harness, UINT64_MAX, makeLines(1));
      await expect(verifier.submit(a.proof))
        .to.be.revertedWithCustomError(verifier, "WindowNotEnded")
        .withArgs((UINT64_MAX + 1n) * BigInt(WINDOWS.seconds), anyUint);
    });

    it("measures a window's end in the configured window length", async function () {
      const { verifier, harness } = d;
      const longer = 600n;
      await verifier.setWindowSeconds(longer);
      // Window w ended long ago in 300-s windows, but in 600-s windows it is the one in progress
      // (the block's time is set: a clock read near a window's end would make this test flaky).
      const window = BigInt(await time.latest()) / longer + 1n;
      const start = window * longer;
      const a = await attest(harness, window, makeLines(1));
      await time.setNextBlockTimestamp(start + 1n);
      await expect(verifier.submit(a.proof, GAS))
        .to.be.revertedWithCustomError(verifier, "WindowNotEnded")
        .withArgs(start + longer, start + 1n);
      const ended = await attest(harness, window - 1n, makeLines(1));
      await expect(verifier.submit(ended.proof, GAS)).to.emit(verifier, "UsageReportVerified");
    });
  });

  describe("accepted reports", function () {
    for (const count of [1, 500]) {
      it(`verifies a ${count}-line report, stores its digest and round, and the line check agrees`, async function () {
        const { verifier, harness, relayer, firstWindow } = d;
        const lines = makeLines(count);
        const a = await attest(harness, firstWindow, lines);

        await expect(verifier.connect(relayer).submit(a.proof))
          .to.emit(verifier, "UsageReportVerified")
          .withArgs(firstWindow, a.votingRound, a.summary.digest, BigInt(count), a.summary.totalTokens);

        const report = await verifier.reportOf(firstWindow);
        expect(report.verified).to.equal(true);
        expect(report.digest).to.equal(reportDigest(firstWindow, lines));
        expect(report.votingRound).to.equal(a.votingRound);
        expect(report.lineCount).to.equal(BigInt(count));
        expect(report.totalTokens).to.equal(a.summary.totalTokens);
        expect(await verifier.digestOf(firstWindow)).to.equal(a.summary.digest);
        expect(await verifier.votingRoundOf(firstWindow)).to.equal(a.votingRound);
        expect(await verifier.isVerified(firstWindow)).to.equal(true);
        expect(await verifier.lastWindow()).to.deep.equal([true, firstWindow]);

        const chainLines = linesForChain(lines);
        expect(await verifier.reportDigest(firstWindow, chainLines)).to.equal(a.summary.digest);
        expect(await verifier.checkLines(firstWindow, chainLines)).to.equal(true);

        const tampered = chainLines.map((l, i) => (i === count - 1 ? { ...l, tokens: l.tokens + 1n } : l));
        expect(await verifier.checkLines(firstWindow, tampered)).to.equal(false);
        expect(await verifier.checkLines(firstWindow, chainLines.slice(0, count - 1))).to.equal(false);
        expect(await verifier.checkLines(firstWindow + 1n, chainLines)).to.equal(false);
      });
    }

    it("verifies a proof from a round shared with other attestations (odd leaf count)", async function () {
      const { verifier, harness, firstWindow } = d;
      const extraLeaves = Array.from({ length: 6 }, (_, i) => ethers.id(`other attestation ${i}`));
      const a = await attest(harness, firstWindow, makeLines(3), { extraLeaves });
      expect(a.proof.merkleProof.length).to.be.greaterThan(1);
      await expect(verifier.submit(a.proof)).to.emit(verifier, "UsageReportVerified");
    });

    it("accepts the largest line count and token total a summary can carry (uint64 max)", async function () {
      const { verifier, harness, firstWindow } = d;
      const a = await attest(harness, firstWindow, makeLines(1), {
        tweak: (x) => ({
          ...x,
          responseBody: { abiEncodedData: encodeSummary({ ...summarize(firstWindow, makeLines(1)), lineCount: UINT64_MAX, totalTokens: UINT64_MAX }) },
        }),
      });
      await expect(verifier.submit(a.proof)).to.emit(verifier, "UsageReportVerified");
      const report = await verifier.reportOf(firstWindow);
      expect([report.lineCount, report.totalTokens]).to.deep.equal([UINT64_MAX, UINT64_MAX]);
    });

    it("accepts later windows in order, gaps allowed", async function () {
      const { verifier, harness, firstWindow } = d;
      for (const w of [firstWindow, firstWindow + 1n, firstWindow + 5n]) {
        const a = await attest(harness, w, makeLines(2));
        await expect(verifier.submit(a.proof)).to.emit(verifier, "UsageReportVerified");
      }
      expect(await verifier.lastWindow()).to.deep.equal([true, firstWindow + 5n]);
    });
  });

  describe("refused proofs (specific error, nothing changes)", function () {
    /** Submits and expects the custom error; asserts the verifier's state did not change. */
    async function expectRefused(a: Attested, error: string, args?: unknown[]): Promise<void> {
      const { verifier, firstWindow } = d;
      const windows = [firstWindow - 1n, firstWindow, firstWindow + 1n, a.summary.window];
      const before = await verifierState(verifier, windows);
      const tx = verifier.submit(a.proof);
      if (args) await expect(tx).to.be.revertedWithCustomError(verifier, error).withArgs(...args);
      else await expect(tx).to.be.revertedWithCustomError(verifier, error);
      expect(await verifierState(verifier, windows)).to.equal(before);
    }

    function tweakBody(change: Partial<Web2JsonAttestation["requestBody"]>) {
      return (a: Web2JsonAttestation): Web2JsonAttestation => ({ ...a, requestBody: { ...a.requestBody, ...change } });
    }

    it("a wrong Merkle proof", async function () {
      const extraLeaves = [ethers.id("a"), ethers.id("b"), ethers.id("c")];
      const a = await attest(d.harness, d.firstWindow, makeLines(1), { extraLeaves });
      a.proof.merkleProof[0] = ethers.id("not a sibling");
      await expectRefused(a, "InvalidMerkleProof", [a.votingRound]);
    });

    it("a response changed after attestation (leaf not in the root)", async function () {
      const a = await attest(d.harness, d.firstWindow, makeLines(1));
      const forged = encodeSummary({ ...a.summary, totalTokens: a.summary.totalTokens + 1n });
      a.proof.data = { ...a.proof.data, responseBody: { abiEncodedData: forged } };
      await expectRefused(a, "InvalidMerkleProof", [a.votingRound]);
    });

    it("a proof for a round with no root", async function () {
      const a = await attest(d.harness, d.firstWindow, makeLines(1), { skipFinalize: true });
      await expectRefused(a, "RoundNotFinalized", [a.votingRound]);
    });

    it("a proof whose voting round was changed to another finalized round", async function () {
      const first = await attest(d.harness, d.firstWindow, makeLines(1));
      const second = await attest(d.harness, d.firstWindow, makeLines(2));
      first.proof.data = { ...first.proof.data, votingRound: second.votingRound };
      await expectRefused(first, "InvalidMerkleProof", [second.votingRound]);
    });

    it("another URL (other host)", async function () {
      const url = summaryUrl("https://evil.example", d.firstWindow);
      const a = await attest(d.harness, d.firstWindow, makeLines(1), { tweak: tweakBody({ url }) });
      await expectRefused(a, "WrongUrl", [summaryUrl(BASE_URL, d.firstWindow), url]);
    });

    it("a URL whose window is not the attested window", async function () {
      const url = summaryUrl(BASE_URL, d.firstWindow + 1n);
      const a = await attest(d.harness, d.firstWindow, makeLines(1), { tweak: tweakBody({ url }) });
      await expectRefused(a, "WrongUrl", [summaryUrl(BASE_URL, d.firstWindow), url]);
    });

    it("a URL with a query string", async function () {
      const url = `${summaryUrl(BASE_URL, d.firstWindow)}?x=1`;
      const a = await attest(d.harness, d.firstWindow, makeLines(1), { tweak: tweakBody({ url }) });
      await expectRefused(a, "WrongUrl");
    });

    it("another jq filter", async function () {
      const a = await attest(d.harness, d.firstWindow, makeLines(1), { tweak: tweakBody({ postProcessJq: "." }) });
      await expectRefused(a, "RequestFieldMismatch", [Field.PostProcessJq]);
    });

    it("another ABI signature", async function () {
      const abiSignature = requestBodyFor(d.firstWindow).abiSignature.replace("totalTokens", "tokens");
      const a = await attest(d.harness, d.firstWindow, makeLines(1), { tweak: tweakBody({ abiSignature }) });
      await expectRefused(a, "RequestFieldMismatch", [Field.AbiSignature]);
    });

    it("another HTTP method, headers, query parameters or body", async function () {
      const cases: Array<[Partial<Web2JsonAttestation["requestBody"]>, number]> = [
        [{ httpMethod: "POST" }, Field.HttpMethod],
        [{ headers: '{"X-Api-Key":"k"}' }, Field.Headers],
        [{ queryParams: '{"window":"1"}' }, Field.QueryParams],
        [{ body: '{"a":1}' }, Field.Body],
      ];
      for (const [change, field] of cases) {
        const a = await attest(d.harness, d.firstWindow, makeLines(1), { tweak: tweakBody(change) });
        await expectRefused(a, "RequestFieldMismatch", [field]);
      }
    });

    it("several request fields changed: the error names the first that differs", async function () {
      const a = await attest(d.harness, d.firstWindow, makeLines(1), { tweak: tweakBody({ httpMethod: "POST", postProcessJq: "." }) });
      await expectRefused(a, "RequestFieldMismatch", [Field.HttpMethod]);
      const b = await attest(d.harness, d.firstWindow, makeLines(1), { tweak: tweakBody({ headers: '{"a":"b"}', abiSignature: "x" }) });
      await expectRefused(b, "RequestFieldMismatch", [Field.Headers]);
    });

    it("another attestation type", async function () {
      const other = encodeBytes32String("EVMTransaction");
      const a = await attest(d.harness, d.firstWindow, makeLines(1), {
        tweak: (x) => ({ ...x, attestationType: other }),
      });
      await expectRefused(a, "WrongAttestationType", [other]);
    });

    it("another source id", async function () {
      const other = encodeBytes32String("SomeWeb2");
      const a = await attest(d.harness, d.firstWindow, makeLines(1), { tweak: (x) => ({ ...x, sourceId: other }) });
      await expectRefused(a, "WrongSourceId", [other]);
    });

    it("a replayed window (the same proof, or another proof of the same window)", async function () {
      const a = await attest(d.harness, d.firstWindow, makeLines(1));
      await d.verifier.submit(a.proof);
      await expectRefused(a, "WindowAlreadyVerified", [d.firstWindow]);
      const b = await attest(d.harness, d.firstWindow, makeLines(4));
      await expectRefused(b, "WindowAlreadyVerified", [d.firstWindow]);
    });

    it("an older window", async function () {
      const later = await attest(d.harness, d.firstWindow + 2n, makeLines(1));
      await d.verifier.submit(later.proof);
      const older = await attest(d.harness, d.firstWindow + 1n, makeLines(1));
      await expectRefused(older, "WindowOutOfOrder", [d.firstWindow + 1n, d.firstWindow + 2n]);
    });

    describe("malformed abiEncodedData", function () {
      const coder = AbiCoder.defaultAbiCoder();
      const cases: Array<[string, (w: bigint) => string]> = [
        ["empty", () => "0x"],
        ["too short", (w) => coder.encode(["uint64", "bytes32"], [w, ethers.id("x")])],
        [
          "too long",
          (w) => coder.encode(["uint64", "bytes32", "uint64", "uint64", "uint64"], [w, ethers.id("x"), 1n, 1n, 1n]),
        ],
        [
          "a window beyond uint64",
          () => coder.encode(["uint256", "bytes32", "uint64", "uint64"], [1n << 64n, ethers.id("x"), 1n, 1n]),
        ],
        [
          "a line count beyond uint64",
          (w) => coder.encode(["uint64", "bytes32", "uint256", "uint64"], [w, ethers.id("x"), 1n << 64n, 1n]),
        ],
        [
          "total tokens beyond uint64",
          (w) => coder.encode(["uint64", "bytes32", "uint64", "uint256"], [w, ethers.id("x"), 1n, 1n << 64n]),
        ],
        ["a zero digest", (w) => coder.encode(["uint64", "bytes32", "uint64", "uint64"], [w, ZeroHash, 1n, 1n])],
        ["a dynamic-tuple encoding (offset first)", (w) => coder.encode(["tuple(uint64,bytes32,uint64,string)"], [[w, ethers.id("x"), 1n, "x"]])],
      ];
      for (const [name, data] of cases) {
        it(name, async function () {
          const a = await attest(d.harness, d.firstWindow, makeLines(1), {
            tweak: (x) => ({ ...x, responseBody: { abiEncodedData: data(d.firstWindow) } }),
          });
          await expectRefused(a, "MalformedSummary");
        });
      }
    });

    it("when Flare's registry has no FdcVerification", async function () {
      const a = await attest(d.harness, d.firstWindow, makeLines(1));
      await d.harness.registry.setContractAddress("FdcVerification", ethers.ZeroAddress);
      await expectRefused(a, "FdcVerificationUnavailable");
    });
  });

  describe("configuration", function () {
    it("the owner changes the base URL (event); old-base attestations are then refused", async function () {
      const { verifier, harness, firstWindow } = d;
      const newBase = "https://reports2.flareflow.test/v2";
      await expect(verifier.setPublisherBaseUrl(newBase)).to.emit(verifier, "PublisherBaseUrlSet").withArgs(newBase);
      const old = await attest(harness, firstWindow, makeLines(1));
      await expect(verifier.submit(old.proof)).to.be.revertedWithCustomError(verifier, "WrongUrl");
      const fresh = await attest(harness, firstWindow, makeLines(1), {
        tweak: (x) => ({ ...x, requestBody: { ...x.requestBody, url: summaryUrl(newBase, firstWindow) } }),
      });
      await expect(verifier.submit(fresh.proof)).to.emit(verifier, "UsageReportVerified");
    });

    it("accepts any base URL without a trailing '/', query or fragment, however short its last segment", async function () {
      const { verifier } = d;
      for (const url of ["https://x.test/a", "https://x.test/a/b", "h"]) {
        await expect(verifier.setPublisherBaseUrl(url)).to.emit(verifier, "PublisherBaseUrlSet").withArgs(url);
        expect(await verifier.expectedUrl(7n)).to.equal(`${url}/reports/7/summary`);
      }
    });

    it("the owner changes the request spec (event with the spec and its hash)", async function () {
      const { verifier, harness, firstWindow } = d;
      const spec = { ...requestSpec(), postProcessJq: "{window: .w, digest: .d, lineCount: .n, totalTokens: .t}" };
      await expect(verifier.setRequestSpec(spec)).to.emit(verifier, "RequestSpecSet");
      const old = await attest(harness, firstWindow, makeLines(1));
      await expect(verifier.submit(old.proof))
        .to.be.revertedWithCustomError(verifier, "RequestFieldMismatch")
        .withArgs(Field.PostProcessJq);
      const fresh = await attest(harness, firstWindow, makeLines(1), {
        tweak: (x) => ({ ...x, requestBody: { ...x.requestBody, postProcessJq: String(spec.postProcessJq) } }),
      });
      await expect(verifier.submit(fresh.proof)).to.emit(verifier, "UsageReportVerified");
    });

    it("the owner sets the window length before the first verification (event), within its bounds", async function () {
      const { verifier } = d;
      for (const seconds of [30n, 1n, 86_400n, 300n]) {
        await expect(verifier.setWindowSeconds(seconds)).to.emit(verifier, "WindowSecondsSet").withArgs(seconds);
        expect(await verifier.windowSeconds()).to.equal(seconds);
      }
    });

    it("has the window bounds deploy:evm checks before sending (src/report's WINDOW_SECONDS_BOUNDS)", async function () {
      const { verifier } = d;
      expect([await verifier.MIN_WINDOW_SECONDS(), await verifier.MAX_WINDOW_SECONDS()]).to.deep.equal([BigInt(WINDOW_SECONDS_BOUNDS.min), BigInt(WINDOW_SECONDS_BOUNDS.max)]);
    });

    it("refuses a window length out of bounds, changing nothing", async function () {
      const { verifier, firstWindow } = d;
      const before = await verifierState(verifier, [firstWindow]);
      for (const bad of [0n, 86_401n, UINT64_MAX]) {
        await expect(verifier.setWindowSeconds(bad)).to.be.revertedWithCustomError(verifier, "InvalidWindowSeconds").withArgs(bad);
      }
      expect(await verifierState(verifier, [firstWindow])).to.equal(before);
    });

    it("refuses a window length change once a window is verified, changing nothing", async function () {
      const { verifier, harness, firstWindow } = d;
      await verifier.submit((await attest(harness, firstWindow, makeLines(1))).proof);
      const before = await verifierState(verifier, [firstWindow]);
      await expect(verifier.setWindowSeconds(30n))
        .to.be.revertedWithCustomError(verifier, "WindowSecondsLocked")
        .withArgs(firstWindow);
      expect(await verifierState(verifier, [firstWindow])).to.equal(before);
    });

    it("refuses configuration changes by a non-owner, changing nothing", async function () {
      const { verifier, other, firstWindow } = d;
      const before = await verifierState(verifier, [firstWindow]);
      const who = await other.getAddress();
      await expect(verifier.connect(other).setPublisherBaseUrl("https://evil.example"))
        .to.be.revertedWithCustomError(verifier, "OwnableUnauthorizedAccount")
        .withArgs(who);
      await expect(verifier.connect(other).setRequestSpec({ ...requestSpec(), postProcessJq: "." }))
        .to.be.revertedWithCustomError(verifier, "OwnableUnauthorizedAccount")
        .withArgs(who);
      await expect(verifier.connect(other).setWindowSeconds(30n))
        .to.be.revertedWithCustomError(verifier, "OwnableUnauthorizedAccount")
        .withArgs(who);
      await expect(verifier.connect(other).transferOwnership(who))
        .to.be.revertedWithCustomError(verifier, "OwnableUnauthorizedAccount")
        .withArgs(who);
      expect(await verifierState(verifier, [firstWindow])).to.equal(before);
    });

    it("refuses an invalid base URL or request spec, changing nothing", async function () {
      const { verifier, firstWindow } = d;
      const before = await verifierState(verifier, [firstWindow]);
      for (const bad of ["", "/", "https://x.test/", "https://x.test?a=1", "https://x.test#f", "?a=1", "#f"]) {
        await expect(verifier.setPublisherBaseUrl(bad)).to.be.revertedWithCustomError(verifier, "InvalidBaseUrl").withArgs(bad);
      }
      for (const change of [{ sourceId: ZeroHash }, { httpMethod: "" }, { postProcessJq: "" }, { abiSignature: "" }]) {
        await expect(verifier.setRequestSpec({ ...requestSpec(), ...change })).to.be.revertedWithCustomError(
          verifier,
          "InvalidRequestSpec",
        );
      }
      expect(await verifierState(verifier, [firstWindow])).to.equal(before);
    });
  });
});
