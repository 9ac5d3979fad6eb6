/** What the period cap does under the billing rules (issue 13): it pauses, it never discounts. */
export const CAP_HELP =
  "Reaching the cap pauses the key (and the subscription) until the period ends or you raise the cap. It never reduces what is owed for usage already made: that is billed in full from the escrow.";
