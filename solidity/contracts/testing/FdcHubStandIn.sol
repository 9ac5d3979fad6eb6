// SPDX-License-Identifier: MIT
pragma solidity 0.8.25;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IFdcHub} from "@flarenetwork/flare-periphery-contracts/coston2/IFdcHub.sol";
import {IFdcInflationConfigurations} from
    "@flarenetwork/flare-periphery-contracts/coston2/IFdcInflationConfigurations.sol";
import {IFdcRequestFeeConfigurations} from
    "@flarenetwork/flare-periphery-contracts/coston2/IFdcRequestFeeConfigurations.sol";

/**
 * @title FdcHubStandIn
 * @notice Local-only stand-in for Flare's FdcHub: takes the request fee (at least
 * `getRequestFee(data)`, overpayment kept, as on Flare) and emits Flare's `AttestationRequest`,
 * which the local Flare stand-in service answers. Collected fees go to the owner on `withdrawFees`
 * (on Flare they go to the reward manager). Never deployed live.
 */
contract FdcHubStandIn is IFdcHub, Ownable {
    /// @inheritdoc IFdcHub
    IFdcRequestFeeConfigurations public immutable fdcRequestFeeConfigurations;

    /// @inheritdoc IFdcHub
    uint8 public requestsOffsetSeconds;

    /// @notice Fees were withdrawn by the owner.
    event FeesWithdrawn(address indexed to, uint256 amount);

    /// @notice The value sent is below the request fee.
    error FeeTooLow(uint256 sent, uint256 required);
    /// @notice Fees cannot be sent to the zero address.
    error ZeroRecipient();
    /// @notice The fee transfer to the recipient failed.
    error WithdrawFailed(address to, uint256 amount);

    /**
     * @notice Deploys the stand-in.
     * @param initialOwner Who may withdraw fees and set the offset.
     * @param feeConfigurations The fee configuration (stand-in).
     */
    constructor(address initialOwner, IFdcRequestFeeConfigurations feeConfigurations) Ownable(initialOwner) {
        fdcRequestFeeConfigurations = feeConfigurations;
        emit RequestsOffsetSet(0);
    }

    /// @inheritdoc IFdcHub
    function requestAttestation(bytes calldata _data) external payable {
        uint256 fee = fdcRequestFeeConfigurations.getRequestFee(_data);
        if (msg.value < fee) revert FeeTooLow(msg.value, fee);
        emit AttestationRequest(_data, msg.value);
    }

    /**
     * @notice Sets the requests offset (seconds). Only the owner.
     * @param offsetSeconds The new offset.
     */
    function setRequestsOffset(uint8 offsetSeconds) external onlyOwner {
        requestsOffsetSeconds = offsetSeconds;
        emit RequestsOffsetSet(offsetSeconds);
    }

    /**
     * @notice Sends the collected fees to `to`. Only the owner.
     * @param to The recipient.
     */
    function withdrawFees(address payable to) external onlyOwner {
        if (to == address(0)) revert ZeroRecipient();
        uint256 amount = address(this).balance;
        emit FeesWithdrawn(to, amount);
        // slither-disable-next-line low-level-calls
        (bool sent, ) = to.call{value: amount}("");
        if (!sent) revert WithdrawFailed(to, amount);
    }

    /// @inheritdoc IFdcHub
    function fdcInflationConfigurations() external pure returns (IFdcInflationConfigurations) {
        return IFdcInflationConfigurations(address(0));
    }
}
