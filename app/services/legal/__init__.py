"""The legal stage: the deferred payment test, the Letter of Claim and the Pre-Action Protocol
replies, referral and the County Court claim, judgment and enforcement."""
