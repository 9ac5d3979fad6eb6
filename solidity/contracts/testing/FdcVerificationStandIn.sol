// SPDX-License-Identifier: MIT
pragma solidity 0.8.25;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {IRelay} from "@flarenetwork/flare-periphery-contracts/coston2/IRelay.sol";
import {IFdcVerification} from "@flarenetwork/flare-periphery-contracts/coston2/IFdcVerification.sol";
import {IAddressValidity} from "@flarenetwork/flare-periphery-contracts/coston2/IAddressValidity.sol";
import {IBalanceDecreasingTransaction} from
    "@flarenetwork/flare-periphery-contracts/coston2/IBalanceDecreasingTransaction.sol";
import {IConfirmedBlockHeightExists} from
    "@flarenetwork/flare-periphery-contracts/coston2/IConfirmedBlockHeightExists.sol";
import {IEVMTransaction} from "@flarenetwork/flare-periphery-contracts/coston2/IEVMTransaction.sol";
import {IPayment} from "@flarenetwork/flare-periphery-contracts/coston2/IPayment.sol";
import {IReferencedPaymentNonexistence} from
    "@flarenetwork/flare-periphery-contracts/coston2/IReferencedPaymentNonexistence.sol";
import {IWeb2Json} from "@flarenetwork/flare-periphery-contracts/coston2/IWeb2Json.sol";
import {IXRPPayment} from "@flarenetwork/flare-periphery-contracts/coston2/IXRPPayment.sol";
import {IXRPPaymentNonexistence} from "@flarenetwork/flare-periphery-contracts/coston2/IXRPPaymentNonexistence.sol";

/**
 * @title FdcVerificationStandIn
 * @notice Local-only stand-in for Flare's FdcVerification, with Flare's rule for every type: the
 * response's attestation type must be the function's, and the leaf keccak256(abi.encode(response))
 * must prove, by OpenZeppelin's sorted-pair Merkle proof, into the Relay's root for
 * (fdcProtocolId, response.votingRound). Never deployed live.
 */
contract FdcVerificationStandIn is IFdcVerification {
    using MerkleProof for bytes32[];

    /// @inheritdoc IFdcVerification
    IRelay public immutable relay;

    /// @inheritdoc IFdcVerification
    uint8 public immutable fdcProtocolId;

    /**
     * @notice Deploys the stand-in.
     * @param relay_ The Relay (stand-in) holding the roots.
     * @param fdcProtocolId_ The FDC protocol id (200 on Flare's chains).
     */
    constructor(IRelay relay_, uint8 fdcProtocolId_) {
        relay = relay_;
        fdcProtocolId = fdcProtocolId_;
    }

    /**
     * @notice The Merkle leaf of a Web2Json response (for cross-checking off-chain builders).
     * @param response The attestation response.
     * @return keccak256(abi.encode(response)).
     */
    function web2JsonLeaf(IWeb2Json.Response calldata response) external pure returns (bytes32) {
        return keccak256(abi.encode(response));
    }

    /**
     * @notice Verifies a proof by Flare's rule (type Web2Json, leaf in the round's root).
     * @param _proof The proof.
     * @return True if the proof is valid.
     */
    function verifyWeb2Json(IWeb2Json.Proof calldata _proof) external view returns (bool) {
        return _verify(
            bytes32("Web2Json"), _proof.data.attestationType, _proof.data.votingRound,
            _proof.merkleProof, keccak256(abi.encode(_proof.data))
        );
    }

    /**
     * @notice Verifies a proof by Flare's rule (type AddressValidity, leaf in the round's root).
     * @param _proof The proof.
     * @return True if the proof is valid.
     */
    function verifyAddressValidity(IAddressValidity.Proof calldata _proof) external view returns (bool) {
        return _verify(
            bytes32("AddressValidity"), _proof.data.attestationType, _proof.data.votingRound,
            _proof.merkleProof, keccak256(abi.encode(_proof.data))
        );
    }

    /**
     * @notice Verifies a proof by Flare's rule (type BalanceDecreasingTransaction, leaf in the round's root).
     * @param _proof The proof.
     * @return True if the proof is valid.
     */
    function verifyBalanceDecreasingTransaction(IBalanceDecreasingTransaction.Proof calldata _proof)
        external
        view
        returns (bool)
    {
        return _verify(
            bytes32("BalanceDecreasingTransaction"), _proof.data.attestationType, _proof.data.votingRound,
            _proof.merkleProof, keccak256(abi.encode(_proof.data))
        );
    }

    /**
     * @notice Verifies a proof by Flare's rule (type ConfirmedBlockHeightExists, leaf in the round's root).
     * @param _proof The proof.
     * @return True if the proof is valid.
     */
    function verifyConfirmedBlockHeightExists(IConfirmedBlockHeightExists.Proof calldata _proof)
        external
        view
        returns (bool)
    {
        return _verify(
            bytes32("ConfirmedBlockHeightExists"), _proof.data.attestationType, _proof.data.votingRound,
            _proof.merkleProof, keccak256(abi.encode(_proof.data))
        );
    }

    /**
     * @notice Verifies a proof by Flare's rule (type EVMTransaction, leaf in the round's root).
     * @param _proof The proof.
     * @return True if the proof is valid.
     */
    function verifyEVMTransaction(IEVMTransaction.Proof calldata _proof) external view returns (bool) {
        return _verify(
            bytes32("EVMTransaction"), _proof.data.attestationType, _proof.data.votingRound,
            _proof.merkleProof, keccak256(abi.encode(_proof.data))
        );
    }

    /**
     * @notice Verifies a proof by Flare's rule (type Payment, leaf in the round's root).
     * @param _proof The proof.
     * @return True if the proof is valid.
     */
    function verifyPayment(IPayment.Proof calldata _proof) external view returns (bool) {
        return _verify(
            bytes32("Payment"), _proof.data.attestationType, _proof.data.votingRound,
            _proof.merkleProof, keccak256(abi.encode(_proof.data))
        );
    }

    /**
     * @notice Verifies a proof by Flare's rule (type ReferencedPaymentNonexistence, leaf in the round's root).
     * @param _proof The proof.
     * @return True if the proof is valid.
     */
    function verifyReferencedPaymentNonexistence(IReferencedPaymentNonexistence.Proof calldata _proof)
        external
        view
        returns (bool)
    {
        return _verify(
            bytes32("ReferencedPaymentNonexistence"), _proof.data.attestationType, _proof.data.votingRound,
            _proof.merkleProof, keccak256(abi.encode(_proof.data))
        );
    }

    /**
     * @notice Verifies a proof by Flare's rule (type XRPPayment, leaf in the round's root).
     * @param _proof The proof.
     * @return True if the proof is valid.
     */
    function verifyXRPPayment(IXRPPayment.Proof calldata _proof) external view returns (bool) {
        return _verify(
            bytes32("XRPPayment"), _proof.data.attestationType, _proof.data.votingRound,
            _proof.merkleProof, keccak256(abi.encode(_proof.data))
        );
    }

    /**
     * @notice Verifies a proof by Flare's rule (type XRPPaymentNonexistence, leaf in the round's root).
     * @param _proof The proof.
     * @return True if the proof is valid.
     */
    function verifyXRPPaymentNonexistence(IXRPPaymentNonexistence.Proof calldata _proof)
        external
        view
        returns (bool)
    {
        return _verify(
            bytes32("XRPPaymentNonexistence"), _proof.data.attestationType, _proof.data.votingRound,
            _proof.merkleProof, keccak256(abi.encode(_proof.data))
        );
    }

    function _verify(
        bytes32 expectedType,
        bytes32 attestationType,
        uint64 votingRound,
        bytes32[] calldata merkleProof,
        bytes32 leaf
    ) private view returns (bool) {
        bytes32 root = relay.merkleRoots(fdcProtocolId, votingRound);
        return attestationType == expectedType && merkleProof.verifyCalldata(root, leaf);
    }
}
