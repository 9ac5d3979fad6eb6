// SPDX-License-Identifier: MIT
pragma solidity 0.8.25;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IFdcRequestFeeConfigurations} from
    "@flarenetwork/flare-periphery-contracts/coston2/IFdcRequestFeeConfigurations.sol";

/**
 * @title FdcRequestFeeConfigurationsStandIn
 * @notice Local-only stand-in for Flare's FdcRequestFeeConfigurations: a fee per (attestation type,
 * source id), read from the first two words of the request; a request whose pair has no fee is
 * unsupported and reverts, as on Flare. Never deployed live.
 */
contract FdcRequestFeeConfigurationsStandIn is IFdcRequestFeeConfigurations, Ownable {
    /// @dev Length of the (attestationType, sourceId) prefix of an encoded request.
    uint256 private constant TYPE_AND_SOURCE_LENGTH = 64;
    /// @dev Length of one ABI word.
    uint256 private constant WORD = 32;

    /// @notice Fee (wei) by keccak256(abi.encodePacked(type, source)).
    mapping(bytes32 typeAndSource => uint256 fee) public typeAndSourceFees;

    /// @notice A zero fee cannot be set (remove the pair instead).
    error ZeroFee();
    /// @notice The pair has no fee to remove.
    error FeeNotSet(bytes32 attestationType, bytes32 source);
    /// @notice The request is shorter than its type and source.
    error RequestTooShort(uint256 length);
    /// @notice The request's (type, source) pair is not supported.
    error UnsupportedTypeAndSource(bytes32 attestationType, bytes32 source);

    /**
     * @notice Deploys the stand-in.
     * @param initialOwner Who may set fees.
     */
    constructor(address initialOwner) Ownable(initialOwner) {}

    /**
     * @notice Sets the fee of an (attestation type, source) pair. Only the owner.
     * @param attestationType The attestation type id, e.g. bytes32("Web2Json").
     * @param source The source id, e.g. bytes32("PublicWeb2").
     * @param fee The fee in wei (non-zero).
     */
    function setTypeAndSourceFee(bytes32 attestationType, bytes32 source, uint256 fee) external onlyOwner {
        if (fee == 0) revert ZeroFee();
        typeAndSourceFees[_key(attestationType, source)] = fee;
        emit TypeAndSourceFeeSet(attestationType, source, fee);
    }

    /**
     * @notice Removes the fee of a pair, which makes it unsupported. Only the owner.
     * @param attestationType The attestation type id.
     * @param source The source id.
     */
    function removeTypeAndSourceFee(bytes32 attestationType, bytes32 source) external onlyOwner {
        bytes32 key = _key(attestationType, source);
        if (typeAndSourceFees[key] == 0) revert FeeNotSet(attestationType, source);
        delete typeAndSourceFees[key];
        emit TypeAndSourceFeeRemoved(attestationType, source);
    }

    /// @inheritdoc IFdcRequestFeeConfigurations
    function getRequestFee(bytes calldata _data) external view returns (uint256 fee) {
        if (_data.length < TYPE_AND_SOURCE_LENGTH) revert RequestTooShort(_data.length);
        bytes32 attestationType = bytes32(_data[:WORD]);
        bytes32 source = bytes32(_data[WORD:TYPE_AND_SOURCE_LENGTH]);
        fee = typeAndSourceFees[_key(attestationType, source)];
        if (fee == 0) revert UnsupportedTypeAndSource(attestationType, source);
    }

    function _key(bytes32 attestationType, bytes32 source) private pure returns (bytes32) {
        return keccak256(abi.encodePacked(attestationType, source));
    }
}
