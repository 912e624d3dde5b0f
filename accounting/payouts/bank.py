"""Vendor bank details: validated with schwifty (IBAN, BIC; account number + bank code elsewhere), encrypted, audited."""

from dataclasses import dataclass

from django.db import transaction
from schwifty import BIC, IBAN, registry
from schwifty import exceptions as schwifty_errors

from accounting.payouts.errors import BankDetailsInvalid, payouts_require_plan
from accounting.payouts.models import VendorBankDetails, VendorBankDetailsChange, mask
from contacts.models import Vendor
from onport.validators import CONTROL_CHARACTERS, has_control_characters


VENDORS_IBAN = "Copy it again from the vendor's invoice or bank letter."
YOUR_IBAN = "Copy it again from your bank statement or online banking."


def parse_iban(value: str, *, copy_from: str = VENDORS_IBAN) -> IBAN:
    """The IBAN, or a ValueError in plain words; `copy_from` says where the person finds it again."""
    try:
        return IBAN(value)
    except schwifty_errors.InvalidChecksumDigits:
        raise ValueError(
            f"This IBAN's check digits do not match: a character is probably mistyped. {copy_from}"
        ) from None
    except schwifty_errors.InvalidCountryCode:
        raise ValueError(
            "An IBAN starts with the bank's two-letter country code (such as DE or FR); "
            f"“{value[:2].upper()}” is not one."
        ) from None
    except schwifty_errors.InvalidLength:
        raise ValueError(
            "This IBAN has the wrong number of characters for its country: a character is missing or one too many."
        ) from None
    except schwifty_errors.SchwiftyException:
        raise ValueError(
            "This is not an IBAN: it should be a country code, two check digits and the account "
            "number, such as DE89 3704 0044 0532 0130 00."
        ) from None


def parse_bic(value: str) -> BIC:
    try:
        return BIC(value)
    except schwifty_errors.InvalidLength:
        raise ValueError("A BIC has 8 or 11 letters and digits, such as DEUTDEFF or DEUTDEFF500.") from None
    except schwifty_errors.InvalidCountryCode:
        raise ValueError("Letters 5 and 6 of a BIC are the bank's country code; these are not a country.") from None
    except schwifty_errors.SchwiftyException:
        raise ValueError("This is not a BIC: it should be 8 or 11 letters and digits, such as DEUTDEFF.") from None


def country_uses_iban(country: str) -> bool:
    try:
        registry.get_iban_spec(country.upper())
    except (schwifty_errors.SchwiftyException, KeyError):
        return False
    return True


UK_SORT_CODE_DIGITS = 6
UK_ACCOUNT_DIGITS = 8  # older 6- and 7-digit accounts are written with zeros in front


def uk_domestic_errors(*, account_number: str, sort_code: str) -> dict[str, str]:
    """What is wrong with a UK sort code and account number (Faster Payments, Bacs), empty when they are fine."""
    errors = {}
    if not (sort_code.isascii() and sort_code.isdigit() and len(sort_code) == UK_SORT_CODE_DIGITS):
        errors["bank_code"] = "A sort code has 6 digits, such as 60-16-13."
    if not (account_number.isascii() and account_number.isdigit() and 6 <= len(account_number) <= UK_ACCOUNT_DIGITS):
        errors["account_number"] = (
            "A UK account number has 8 digits, such as 31926819. For a 9- or 10-digit account "
            "(some building societies), enter the vendor's IBAN instead."
        )
    return errors


def domestic_account(details) -> tuple[str, str]:
    """The account number and bank code a bank file carries: as entered, or read from a UK IBAN (UK banks pay
    GBP by sort code and account number)."""
    if details.iban.startswith("GB"):
        iban = IBAN(details.iban)
        return iban.account_code, iban.branch_code
    return details.account_number, details.bank_code


@dataclass(frozen=True)
class BankDetailsInput:
    holder_name: str
    country: str
    iban: str = ""
    bic: str = ""
    account_number: str = ""
    bank_code: str = ""


def bank_details_clean(data: BankDetailsInput) -> BankDetailsInput:
    """The details in the form banks use (IBAN/BIC compact, upper case), or BankDetailsInvalid in plain words."""
    errors: dict[str, str] = {}
    country = data.country.strip().upper()
    iban = bic = ""
    account_number = "".join(data.account_number.split())
    bank_code = "".join(data.bank_code.split()).replace("-", "")
    if not data.holder_name.strip():
        errors["holder_name"] = "Enter the name the vendor's bank account is held in."
    elif has_control_characters(data.holder_name):
        errors["holder_name"] = CONTROL_CHARACTERS
    if data.iban.strip():
        try:
            parsed = parse_iban(data.iban)
            iban, country = parsed.compact, parsed.country_code
        except ValueError as error:
            errors["iban"] = str(error)
    elif country == "GB" and (account_number or bank_code):
        errors.update(uk_domestic_errors(account_number=account_number, sort_code=bank_code))
        account_number = account_number.zfill(UK_ACCOUNT_DIGITS)
    elif country == "GB":
        errors["iban"] = "Enter the vendor's IBAN, or its sort code and account number."
    elif country_uses_iban(country):
        errors["iban"] = f"Banks in {country} are paid by IBAN: enter the vendor's IBAN."
    elif not (account_number and bank_code):
        errors["account_number"] = "Enter the vendor's IBAN, or its account number and bank code."
    if data.bic.strip():
        try:
            bic = parse_bic(data.bic).compact
        except ValueError as error:
            errors["bic"] = str(error)
    if not data.iban.strip() and (len(country) != 2 or not country.isalpha()):
        errors.setdefault("country", "Enter the two-letter country code of the vendor's bank, such as DE.")
    if errors:
        raise BankDetailsInvalid(errors)
    if iban:
        account_number = bank_code = ""
    return BankDetailsInput(
        holder_name=data.holder_name.strip(),
        country=country,
        iban=iban,
        bic=bic,
        account_number=account_number,
        bank_code=bank_code,
    )


AUDITED = {
    "holder_name": ("Account holder", lambda value: value),
    "country": ("Country", lambda value: value),
    "iban": ("IBAN", mask),
    "bic": ("BIC", lambda value: value[:4] + "••••" if value else ""),
    "account_number": ("Account number", lambda value: ("•••• " + value[-4:]) if value else ""),
    "bank_code": ("Bank code", lambda value: ("•••• " + value[-2:]) if value else ""),
}


def vendor_bank_details_update(*, vendor: Vendor, data: BankDetailsInput, actor=None) -> VendorBankDetails:
    """Save a vendor's bank details (validated, encrypted) and audit what changed, masked."""
    payouts_require_plan(vendor.account)
    clean = bank_details_clean(data)
    with transaction.atomic():
        details = VendorBankDetails.objects.select_for_update().filter(vendor=vendor).first()
        old = {name: getattr(details, name) if details else "" for name in AUDITED}
        details = details or VendorBankDetails(account=vendor.account, vendor=vendor)
        for name in AUDITED:
            setattr(details, name, getattr(clean, name))
        details.updated_by = actor
        details.full_clean(exclude=["vendor", "account"])
        changes = {
            label: [show(old[name]), show(getattr(clean, name))]
            for name, (label, show) in AUDITED.items()
            if old[name] != getattr(clean, name)
        }
        details.save()
        if changes:
            VendorBankDetailsChange.objects.create(account=vendor.account, vendor=vendor, actor=actor, changes=changes)
    return details


# -- Setup > Payouts -----------------------------------------------------------------------------------
