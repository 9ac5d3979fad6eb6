// SPDX-License-Identifier: MIT
pragma solidity 0.8.25;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {IRelay} from "@flarenetwork/flare-periphery-contracts/coston2/IRelay.sol";

/**
 * @title RelayStandIn
 * @notice Local-only stand-in for Flare's Relay: holds the Merkle root of each (protocol id,
 * voting round), which the owner (a test or the local Flare stand-in service) sets once per round,
 * as Flare's finalization does. Roots, finalization and `verify` behave as Flare's; signing
 * policies, random numbers and fee governance are not modelled and revert. Never deployed live.
 */
contract RelayStandIn is IRelay, Ownable {
    using MerkleProof for bytes32[];

    /// @notice Start of voting round 0 (unix seconds), for `getVotingRoundId`.
    uint32 public immutable firstVotingRoundStartTs;

    /// @notice Length of one voting round in seconds (90 on Flare's chains).
    uint8 public immutable votingEpochDurationSeconds;

    /// @dev Root by protocol id and voting round id.
    mapping(uint256 protocolId => mapping(uint256 votingRoundId => bytes32 root)) private _roots;

    /// @notice The root of this round was set already (Flare finalizes a round once).
    error RootAlreadySet(uint8 protocolId, uint32 votingRoundId);
    /// @notice A zero root cannot be set.
    error ZeroRoot();
    /// @notice The timestamp is before voting round 0.
    error BeforeFirstVotingRound(uint256 timestamp);
    /// @notice The function is not modelled by the stand-in.
    error NotSupportedByStandIn();

    /**
     * @notice Deploys the stand-in.
     * @param initialOwner Who may set roots.
     * @param firstVotingRoundStartTs_ Start of voting round 0 (unix seconds).
     * @param votingEpochDurationSeconds_ Length of a voting round in seconds.
     */
    constructor(address initialOwner, uint32 firstVotingRoundStartTs_, uint8 votingEpochDurationSeconds_)
        Ownable(initialOwner)
    {
        firstVotingRoundStartTs = firstVotingRoundStartTs_;
        votingEpochDurationSeconds = votingEpochDurationSeconds_;
    }

    /**
     * @notice Finalizes a voting round with its Merkle root, emitting Flare's `ProtocolMessageRelayed`.
     * @param protocolId The protocol id (200 for FDC).
     * @param votingRoundId The voting round id.
     * @param merkleRoot The round's Merkle root (non-zero).
     */
    function setMerkleRoot(uint8 protocolId, uint32 votingRoundId, bytes32 merkleRoot) external onlyOwner {
        if (merkleRoot == bytes32(0)) revert ZeroRoot();
        if (_roots[protocolId][votingRoundId] != bytes32(0)) revert RootAlreadySet(protocolId, votingRoundId);
        _roots[protocolId][votingRoundId] = merkleRoot;
        emit ProtocolMessageRelayed(protocolId, votingRoundId, false, merkleRoot);
    }

    /// @inheritdoc IRelay
    function merkleRoots(uint256 _protocolId, uint256 _votingRoundId) external view returns (bytes32) {
        return _roots[_protocolId][_votingRoundId];
    }

    /// @inheritdoc IRelay
    function isFinalized(uint256 _protocolId, uint256 _votingRoundId) external view returns (bool) {
        return _roots[_protocolId][_votingRoundId] != bytes32(0);
    }

    /// @inheritdoc IRelay
    function verify(uint256 _protocolId, uint256 _votingRoundId, bytes32 _leaf, bytes32[] calldata _proof)
        external
        payable
        returns (bool)
    {
        bytes32 root = _roots[_protocolId][_votingRoundId];
        return root != bytes32(0) && _proof.verifyCalldata(root, _leaf);
    }

    /// @inheritdoc IRelay
    function getVotingRoundId(uint256 _timestamp) external view returns (uint256) {
        if (_timestamp < firstVotingRoundStartTs) revert BeforeFirstVotingRound(_timestamp);
        return (_timestamp - firstVotingRoundStartTs) / votingEpochDurationSeconds;
    }

    /// @inheritdoc IRelay
    function signingPolicySetter() external pure returns (address) {
        return address(0);
    }

    /// @inheritdoc IRelay
    function feeCollectionAddress() external pure returns (address payable) {
        return payable(address(0));
    }

    /// @inheritdoc IRelay
    function protocolFeeInWei(uint256) external pure returns (uint256) {
        return 0;
    }

    /// @notice Not modelled. Reverts.
    function getRandomNumber() external pure returns (uint256, bool, uint256) {
        revert NotSupportedByStandIn();
    }

    /// @notice Not modelled. Reverts.
    function getRandomNumberHistorical(uint256) external pure returns (uint256, bool, uint256) {
        revert NotSupportedByStandIn();
    }

    /// @notice Not modelled. Reverts.
    function verifyCustomSignature(bytes calldata, bytes32) external pure returns (uint256) {
        revert NotSupportedByStandIn();
    }

    /// @notice Not modelled. Reverts.
    function governanceFeeSetup(bytes calldata, RelayGovernanceConfig calldata) external pure {
        revert NotSupportedByStandIn();
    }

    /// @notice Not modelled. Reverts.
    function relay() external pure returns (bytes memory) {
        revert NotSupportedByStandIn();
    }

    /// @notice Not modelled. Reverts.
    function toSigningPolicyHash(uint256) external pure returns (bytes32) {
        revert NotSupportedByStandIn();
    }

    /// @notice Not modelled. Reverts.
    function startingVotingRoundIds(uint256) external pure returns (uint256) {
        revert NotSupportedByStandIn();
    }

    /// @notice Not modelled. Reverts.
    function lastInitializedRewardEpochData() external pure returns (uint32, uint32) {
        revert NotSupportedByStandIn();
    }

    /// @notice Not modelled. Reverts.
    function stateData()
        external
        pure
        returns (uint8, uint32, uint8, uint32, uint16, uint16, uint32, bool, uint32, bool, uint32)
    {
        revert NotSupportedByStandIn();
    }
}
