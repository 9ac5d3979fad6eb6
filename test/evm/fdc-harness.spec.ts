import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { encodeBytes32String } from "ethers";
import { deployFdcHarness, contractNameHash, FLARE_CONTRACT_REGISTRY_ADDRESS, DEFAULT_WEB2JSON_FEE, VOTING_EPOCH_SECONDS } from "../../src/fdc/harness";
import {
  buildRoundProofs,
  decodeWeb2JsonRequest,
  encodeWeb2JsonRequest,
  FDC_PROTOCOL_ID,
  FlareMerkleTree,
  messageIntegrityCode,
  PUBLIC_WEB2_SOURCE_ID,
  WEB2JSON_ATTESTATION_TYPE,
  web2JsonLeaf,
  web2JsonResponse,
  type Web2JsonResponse,
} from "../../src/fdc";

async function harnessFixture() {
  const [owner, other] = await ethers.getSigners();
  const start = await time.latest();
  const harness = await deployFdcHarness(owner, { firstVotingRoundStartTs: start });
  return { owner, other, harness, start };
}

function response(i: number, votingRound: bigint): Web2JsonResponse {
  return web2JsonResponse({
    votingRound,
    requestBody: {
      url: `https://api.example/${i}`,
      httpMethod: "GET",
      headers: "{}",
      queryParams: "{}",
      body: "{}",
      postProcessJq: ".",
      abiSignature: '{"components":[],"name":"x","type":"tuple"}',
    },
    responseBody: { abiEncodedData: ethers.AbiCoder.defaultAbiCoder().encode(["uint256"], [i]) },
  });
}

describe("FDC harness", function () {
  describe("registry stand-in at Flare's address", function () {
    it("resolves Flare's names by name and by keccak256(abi.encode(name))", async function () {
      const { harness } = await loadFixture(harnessFixture);
      const registry = await ethers.getContractAt("IFlareContractRegistry", FLARE_CONTRACT_REGISTRY_ADDRESS);
      const expected: Record<string, string> = {
        Relay: await harness.relay.getAddress(),
        FdcVerification: await harness.fdcVerification.getAddress(),
        FdcHub: await harness.fdcHub.getAddress(),
        FdcRequestFeeConfigurations: await harness.feeConfigurations.getAddress(),
      };
      for (const [name, address] of Object.entries(expected)) {
        expect(await registry.getContractAddressByName(name)).to.equal(address);
        expect(await registry.getContractAddressByHash(contractNameHash(name))).to.equal(address);
      }
      const names = Object.keys(expected);
      expect(await registry.getContractAddressesByName(names)).to.deep.equal(Object.values(expected));
      expect(await registry.getContractAddressesByHash(names.map(contractNameHash))).to.deep.equal(Object.values(expected));
      const [allNames, allAddresses] = await registry.getAllContracts();
      expect(allNames).to.deep.equal(names);
      expect(allAddresses).to.deep.equal(Object.values(expected));
      expect(await registry.getContractAddressByName("Unknown")).to.equal(ethers.ZeroAddress);
    });

    it("only its owner registers contracts", async function () {
      const { harness, other } = await loadFixture(harnessFixture);
      await expect(harness.registry.connect(other).setContractAddress("Relay", await other.getAddress()))
        .to.be.revertedWithCustomError(harness.registry, "NotOwner")
        .withArgs(await other.getAddress());
      await expect(harness.registry.setContractAddress("Extra", await other.getAddress()))
        .to.emit(harness.registry, "ContractAddressSet")
        .withArgs("Extra", await other.getAddress());
    });
  });

  describe("Relay stand-in", function () {
    it("finalizes a round once, with Flare's event; isFinalized, merkleRoots and verify follow", async function () {
      const { harness, other } = await loadFixture(harnessFixture);
      const tree = FlareMerkleTree.build([ethers.id("a"), ethers.id("b"), ethers.id("c")]);
      expect(await harness.relay.isFinalized(FDC_PROTOCOL_ID, 7)).to.equal(false);
      await expect(harness.relay.setMerkleRoot(FDC_PROTOCOL_ID, 7, tree.root))
        .to.emit(harness.relay, "ProtocolMessageRelayed")
        .withArgs(FDC_PROTOCOL_ID, 7, false, tree.root);
      expect(await harness.relay.isFinalized(FDC_PROTOCOL_ID, 7)).to.equal(true);
      expect(await harness.relay.merkleRoots(FDC_PROTOCOL_ID, 7)).to.equal(tree.root);
      expect(await harness.relay.merkleRoots(FDC_PROTOCOL_ID + 1, 7)).to.equal(ethers.ZeroHash);
      for (const leaf of tree.leaves) {
        expect(await harness.relay.verify.staticCall(FDC_PROTOCOL_ID, 7, leaf, tree.proofFor(leaf))).to.equal(true);
      }
      expect(await harness.relay.verify.staticCall(FDC_PROTOCOL_ID, 8, tree.leaves[0], tree.proofAt(0))).to.equal(false);

      await expect(harness.relay.setMerkleRoot(FDC_PROTOCOL_ID, 7, ethers.id("x")))
        .to.be.revertedWithCustomError(harness.relay, "RootAlreadySet")
        .withArgs(FDC_PROTOCOL_ID, 7);
      await expect(harness.relay.setMerkleRoot(FDC_PROTOCOL_ID, 9, ethers.ZeroHash)).to.be.revertedWithCustomError(
        harness.relay,
        "ZeroRoot",
      );
      await expect(harness.relay.connect(other).setMerkleRoot(FDC_PROTOCOL_ID, 9, ethers.id("x"))).to.be.revertedWithCustomError(
        harness.relay,
        "OwnableUnauthorizedAccount",
      );
    });

    it("maps timestamps to 90-second voting rounds", async function () {
      const { harness, start } = await loadFixture(harnessFixture);
      expect(await harness.relay.getVotingRoundId(start)).to.equal(0n);
      expect(await harness.relay.getVotingRoundId(start + VOTING_EPOCH_SECONDS * 3 + 1)).to.equal(3n);
      await expect(harness.relay.getVotingRoundId(start - 1)).to.be.revertedWithCustomError(harness.relay, "BeforeFirstVotingRound");
    });
  });

  describe("FdcVerification stand-in", function () {
    it("computes the same Web2Json leaf as the TypeScript builder", async function () {
      const { harness } = await loadFixture(harnessFixture);
      const r = response(1, 42n);
      expect(await harness.fdcVerification.web2JsonLeaf(r)).to.equal(web2JsonLeaf(r));
      expect(await harness.fdcVerification.fdcProtocolId()).to.equal(BigInt(FDC_PROTOCOL_ID));
      expect(await harness.fdcVerification.relay()).to.equal(await harness.relay.getAddress());
    });

    it("verifies every proof of rounds of 1 to 9 responses (odd counts, duplicates) and refuses altered ones", async function () {
      const { harness } = await loadFixture(harnessFixture);
      for (let n = 1; n <= 9; n++) {
        const round = BigInt(100 + n);
        const responses = Array.from({ length: n }, (_, i) => response(i, round));
        // A duplicate of the first response: Flare drops duplicate leaves.
        const { root, proofs, tree } = buildRoundProofs([...responses, responses[0]]);
        expect(tree.leafCount).to.equal(n);
        await harness.finalizeRound(round, root);
        for (const proof of proofs) {
          expect(await harness.fdcVerification.verifyWeb2Json(proof)).to.equal(true);
        }
        const wrongType = { ...proofs[0], data: { ...proofs[0].data, attestationType: encodeBytes32String("JsonApi") } };
        expect(await harness.fdcVerification.verifyWeb2Json(wrongType)).to.equal(false);
        const otherRound = { ...proofs[0], data: { ...proofs[0].data, votingRound: round + 1000n } };
        expect(await harness.fdcVerification.verifyWeb2Json(otherRound)).to.equal(false);
        if (n > 1) {
          const wrongProof = { ...proofs[0], merkleProof: proofs[1].merkleProof };
          expect(await harness.fdcVerification.verifyWeb2Json(wrongProof)).to.equal(proofs[1].merkleProof.join() === proofs[0].merkleProof.join());
        }
      }
    });
  });

  describe("FdcHub and fee configuration stand-ins", function () {
    it("take the fee and emit Flare's AttestationRequest; refuse a low fee and unsupported pairs", async function () {
      const { harness, owner } = await loadFixture(harnessFixture);
      const r = response(5, 0n);
      const request = {
        attestationType: WEB2JSON_ATTESTATION_TYPE,
        sourceId: PUBLIC_WEB2_SOURCE_ID,
        messageIntegrityCode: messageIntegrityCode(r),
        requestBody: r.requestBody,
      };
      const data = encodeWeb2JsonRequest(request);
      expect(decodeWeb2JsonRequest(data)).to.deep.equal(request);
      expect(await harness.feeConfigurations.getRequestFee(data)).to.equal(DEFAULT_WEB2JSON_FEE);
      expect(await harness.fdcHub.fdcRequestFeeConfigurations()).to.equal(await harness.feeConfigurations.getAddress());

      await expect(harness.fdcHub.requestAttestation(data, { value: DEFAULT_WEB2JSON_FEE + 1n }))
        .to.emit(harness.fdcHub, "AttestationRequest")
        .withArgs(data, DEFAULT_WEB2JSON_FEE + 1n);
      await expect(harness.fdcHub.requestAttestation(data, { value: DEFAULT_WEB2JSON_FEE - 1n }))
        .to.be.revertedWithCustomError(harness.fdcHub, "FeeTooLow")
        .withArgs(DEFAULT_WEB2JSON_FEE - 1n, DEFAULT_WEB2JSON_FEE);

      const other = encodeWeb2JsonRequest({ ...request, sourceId: encodeBytes32String("Other") });
      await expect(harness.fdcHub.requestAttestation(other, { value: DEFAULT_WEB2JSON_FEE })).to.be.revertedWithCustomError(
        harness.feeConfigurations,
        "UnsupportedTypeAndSource",
      );
      await expect(harness.feeConfigurations.getRequestFee("0x1234")).to.be.revertedWithCustomError(
        harness.feeConfigurations,
        "RequestTooShort",
      );

      await expect(harness.feeConfigurations.removeTypeAndSourceFee(WEB2JSON_ATTESTATION_TYPE, PUBLIC_WEB2_SOURCE_ID))
        .to.emit(harness.feeConfigurations, "TypeAndSourceFeeRemoved")
        .withArgs(WEB2JSON_ATTESTATION_TYPE, PUBLIC_WEB2_SOURCE_ID);
      await expect(harness.feeConfigurations.getRequestFee(data)).to.be.revertedWithCustomError(
        harness.feeConfigurations,
        "UnsupportedTypeAndSource",
      );

      const to = await owner.getAddress();
      await expect(harness.fdcHub.withdrawFees(to)).to.changeEtherBalances(
        [harness.fdcHub, owner],
        [-(DEFAULT_WEB2JSON_FEE + 1n), DEFAULT_WEB2JSON_FEE + 1n],
      );
    });
  });
});
