"""How banking77's 77 intents (PolyAI, CC BY 4.0) map onto our eleven intent labels.

Banking77 is customer-service language (cards, transfers, identity checks), permissively
licensed, so the shipped intent head may learn from it. Labels that say nothing our intents care
about map to no intent (negatives for every label). `question` is added to every banking77 row
that ends with a question mark, since almost all of them are questions.
"""

from __future__ import annotations

_B = "billing"
_A = "account_access"
_D = "delivery"
_R = "refund"
_T = "technical_problem"
_Q = "question"
_S = "safety"

BANKING77_TO_INTENTS: dict[str, tuple[str, ...]] = {
    "Refund_not_showing_up": (_R,),
    "request_refund": (_R,),
    "reverted_card_payment?": (_R, _B),
    "top_up_reverted": (_R, _B),
    "card_payment_fee_charged": (_B,),
    "cash_withdrawal_charge": (_B,),
    "exchange_charge": (_B,),
    "extra_charge_on_statement": (_B,),
    "transfer_fee_charged": (_B,),
    "top_up_by_bank_transfer_charge": (_B,),
    "top_up_by_card_charge": (_B,),
    "transaction_charged_twice": (_B,),
    "card_payment_wrong_exchange_rate": (_B,),
    "wrong_exchange_rate_for_cash_withdrawal": (_B,),
    "wrong_amount_of_cash_received": (_B,),
    "card_payment_not_recognised": (_B, _S),
    "cash_withdrawal_not_recognised": (_B, _S),
    "direct_debit_payment_not_recognised": (_B,),
    "balance_not_updated_after_bank_transfer": (_B,),
    "balance_not_updated_after_cheque_or_cash_deposit": (_B,),
    "pending_card_payment": (_B,),
    "pending_cash_withdrawal": (_B,),
    "pending_top_up": (_B,),
    "pending_transfer": (_B,),
    "passcode_forgotten": (_A,),
    "pin_blocked": (_A,),
    "change_pin": (_A,),
    "unable_to_verify_identity": (_A,),
    "verify_my_identity": (_A,),
    "why_verify_identity": (_A,),
    "edit_personal_details": (_A,),
    "terminate_account": (_A,),
    "lost_or_stolen_phone": (_A, _S),
    "compromised_card": (_A, _S),
    "lost_or_stolen_card": (_S,),
    "card_arrival": (_D,),
    "card_delivery_estimate": (_D,),
    "transfer_not_received_by_recipient": (_D, _B),
    "card_not_working": (_T,),
    "contactless_not_working": (_T,),
    "virtual_card_not_working": (_T,),
    "declined_card_payment": (_T,),
    "declined_cash_withdrawal": (_T,),
    "declined_transfer": (_T,),
    "failed_transfer": (_T,),
    "top_up_failed": (_T,),
    "card_swallowed": (_T,),
    "apple_pay_or_google_pay": (_Q,),
    "age_limit": (_Q,),
    "country_support": (_Q,),
    "fiat_currency_support": (_Q,),
    "supported_cards_and_currencies": (_Q,),
    "exchange_rate": (_Q,),
    "visa_or_mastercard": (_Q,),
    "top_up_limits": (_Q,),
    "disposable_card_limits": (_Q,),
    "transfer_timing": (_Q,),
}


def banking77_intents(text: str, label: str) -> str:
    """Our `|`-separated intents for one banking77 row (`none` when nothing applies)."""
    intents = list(BANKING77_TO_INTENTS.get(label, ()))
    if text.rstrip().endswith("?") and _Q not in intents:
        intents.append(_Q)
    return "|".join(intents) or "none"
