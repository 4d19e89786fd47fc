"""The seller's payout account form (/penjual/saldo/rekening)."""

from flask_babel import lazy_gettext as _l

from catalog.services import payout_account
from catalog.web.seller.forms_onboarding import TaxBankForm, WizardForm, options


class PayoutAccountForm(WizardForm):
    """Bank, number and holder (the same fields as the wizard's step 3); refusals from
    services/payout_account.py land on their field."""

    bank = TaxBankForm.bank
    account_number = TaxBankForm.account_number
    account_name = TaxBankForm.account_name

    def for_seller(self, seller, *, fill: bool) -> "PayoutAccountForm":
        self.bank.choices = options([("", _l("— Pilih bank —")), *payout_account.bank_choices(seller.bank_name)])
        if fill:
            self.bank.data = payout_account.selected_bank(seller.bank_name)
            self.account_number.data = seller.bank_account_number or ""
            self.account_name.data = seller.bank_account_name or ""
        return self
