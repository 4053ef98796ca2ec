"""The reports' words in French, Dutch and English (``--lang fr|nl|en``).

Each key has its three texts side by side, so none can be missing in one language (a test
checks every key the reports use). Placeholders are ``str.format`` fields.
"""

from __future__ import annotations

from typing import Any

LANGS = ("fr", "nl", "en")

TEXTS: dict[str, tuple[str, str, str]] = {
    # -- common
    "provisional": (
        "PROVISOIRE — exercice non clôturé",
        "VOORLOPIG — boekjaar niet afgesloten",
        "PROVISIONAL — year not closed",
    ),
    "enterprise_no": ("N° d'entreprise", "Ondernemingsnummer", "Enterprise no."),
    "total": ("Total", "Totaal", "Total"),
    "col.pcmn": ("PCMN", "MAR", "PCMN"),
    "col.label": ("Libellé", "Omschrijving", "Label"),
    "col.account": ("Compte", "Rekening", "Account"),
    "col.opening": ("Solde d'ouverture", "Beginsaldo", "Opening"),
    "col.debit": ("Débit", "Debet", "Debit"),
    "col.credit": ("Crédit", "Credit", "Credit"),
    "col.closing_debit": ("Solde débiteur", "Debetsaldo", "Closing debit"),
    "col.closing_credit": ("Solde créditeur", "Creditsaldo", "Closing credit"),
    "col.balance": ("Solde", "Saldo", "Balance"),
    "col.date": ("Date", "Datum", "Date"),
    "col.journal": ("Journal", "Dagboek", "Journal"),
    "col.number": ("N°", "Nr.", "No."),
    "col.piece": ("Pièce", "Stuk", "Document"),
    "col.narration": ("Libellé de l'écriture", "Omschrijving van de boeking", "Entry"),
    "col.participant": ("Participant (code)", "Deelnemer (code)", "Participant (code)"),
    "col.documents": ("Fichiers", "Bestanden", "Files"),
    "col.entries": ("Écritures", "Boekingen", "Entries"),
    "col.code": ("Code", "Code", "Code"),
    "col.rubric": ("Rubrique", "Rubriek", "Rubric"),
    "col.pcmn_ranges": ("Comptes PCMN", "MAR-rekeningen", "PCMN accounts"),
    "col.counter_pcmn": ("PCMN de la contrepartie", "MAR van de tegenboeking", "Counter-leg PCMN"),
    "col.amount": ("Montant", "Bedrag", "Amount"),
    "col.net_of_contributions": (
        "Quote-part nette des contributions",
        "Aandeel na bijdragen",
        "Share net of contributions",
    ),
    "col.rights": ("Droits et engagements", "Rechten en verplichtingen", "Rights and commitments"),
    "col.grant": ("Subside", "Subsidie", "Grant"),
    "col.funder": ("Bailleur", "Subsidiegever", "Funder"),
    "col.purpose": ("Objet", "Doel", "Purpose"),
    "col.granted": ("Octroyé", "Toegekend", "Granted"),
    "col.received": ("Reçu", "Ontvangen", "Received"),
    "col.spent": ("Dépensé", "Besteed", "Spent"),
    "col.deferred": ("Reporté (493)", "Over te dragen (493)", "Deferred (493)"),
    "col.remaining": ("Solde disponible", "Beschikbaar saldo", "Remaining"),
    "col.criterion": ("Critère", "Criterium", "Criterion"),
    "col.value": ("Valeur", "Waarde", "Value"),
    "col.limit": ("Seuil", "Drempel", "Limit"),
    "col.exceeded": ("Dépassé", "Overschreden", "Exceeded"),
    "col.rubric_double": (
        "Rubrique (partie double)",
        "Rubriek (dubbel boekhouden)",
        "Rubric (double entry)",
    ),
    "col.rubric_simplified": (
        "Rubrique (modèle simplifié)",
        "Rubriek (vereenvoudigd model)",
        "Rubric (simplified model)",
    ),
    # -- trial balance, general ledger, journals
    "tb.title": ("Balance des comptes", "Proef- en saldibalans", "Trial balance"),
    "tb.by_account": ("Par compte", "Per rekening", "By account"),
    "tb.by_code": ("Par code PCMN", "Per MAR-code", "By PCMN code"),
    "gl.title": ("Grand livre", "Grootboek", "General ledger"),
    "gl.opening": ("solde d'ouverture", "beginsaldo", "opening balance"),
    "gl.closing": (
        "Mouvements et solde de clôture",
        "Bewegingen en eindsaldo",
        "Movements and closing balance",
    ),
    "j.title": ("Journaux", "Dagboeken", "Journals"),
    "j.overview": ("Vue d'ensemble", "Overzicht", "Overview"),
    "j.opening": ("Soldes d'ouverture", "Beginsaldi", "Opening balances"),
    "j.numbering": (
        "Numérotation continue par journal et par année civile, dans l'ordre de la chaîne "
        "d'intégrité (date, puis empreinte de l'écriture) : les mêmes numéros que l'export "
        "pour le réviseur.",
        "Doorlopende nummering per dagboek en kalenderjaar, in de volgorde van de "
        "integriteitsketen (datum, dan vingerafdruk van de boeking): dezelfde nummers als "
        "de export voor de revisor.",
        "Gapless numbering per journal and calendar year, in the order of the integrity "
        "chain (date, then the entry's digest): the same numbers as the auditor's export.",
    ),
    # -- annual accounts: parts
    "aa.title": ("Comptes annuels", "Jaarrekening", "Annual accounts"),
    "part.summary": ("Synthèse", "Samenvatting", "Summary"),
    "part.receipts_expenses": (
        "État des recettes et des dépenses (modèle simplifié)",
        "Staat van ontvangsten en uitgaven (vereenvoudigd model)",
        "Statement of receipts and expenses (simplified model)",
    ),
    "part.assets_debts": (
        "État du patrimoine (annexe du modèle simplifié)",
        "Staat van het vermogen (toelichting bij het vereenvoudigd model)",
        "Statement of assets and debts (annex of the simplified model)",
    ),
    "part.rights": (
        "Droits et engagements importants",
        "Belangrijke rechten en verplichtingen",
        "Significant rights and commitments",
    ),
    "part.balance_sheet": (
        "Bilan (modèle micro / abrégé d'association)",
        "Balans (micro- / verkort model voor verenigingen)",
        "Balance sheet (micro / abridged association model)",
    ),
    "part.income_statement": (
        "Compte de résultats (modèle micro / abrégé d'association)",
        "Resultatenrekening (micro- / verkort model voor verenigingen)",
        "Income statement (micro / abridged association model)",
    ),
    "part.identity": (
        "Identité du résultat (modèle comptable)",
        "Identiteit van het resultaat (boekhoudmodel)",
        "Result identity (accounting model)",
    ),
    "part.appendix": ("Annexe", "Toelichting", "Appendix"),
    "part.size": ("Critères de taille", "Groottecriteria", "Size criteria"),
    "part.trace": (
        "Traçabilité : chaque compte et sa rubrique",
        "Traceerbaarheid: elke rekening en haar rubriek",
        "Traceability: every account and its rubric",
    ),
    # -- summary
    "sum.hub": ("Association", "Vereniging", "Association"),
    "sum.period": ("Exercice", "Boekjaar", "Financial year"),
    "sum.model": (
        "Modèle déclaré (hub.toml)",
        "Aangegeven model (hub.toml)",
        "Declared model (hub.toml)",
    ),
    "sum.status": ("Statut", "Status", "Status"),
    "sum.provisional": (
        "provisoire : l'exercice n'est pas clôturé",
        "voorlopig: het boekjaar is niet afgesloten",
        "provisional: the year is not closed",
    ),
    "sum.closed": ("clôturé et scellé", "afgesloten en verzegeld", "closed and sealed"),
    "sum.result": ("Résultat de l'exercice", "Resultaat van het boekjaar", "Result of the year"),
    "sum.filing": ("Dépôt", "Neerlegging", "Filing"),
    "sum.both_models": (
        "Les deux modèles sont établis à partir des mêmes écritures ; le modèle déclaré "
        "vient en premier. Le choix du modèle revient au conseil d'administration "
        "(docs/annual-accounts.md, Q13).",
        "Beide modellen worden opgesteld uit dezelfde boekingen; het aangegeven model staat "
        "eerst. De keuze van het model komt toe aan de raad van bestuur "
        "(docs/annual-accounts.md, Q13).",
        "Both models are drawn from the same entries; the declared one comes first. The "
        "choice of model is the board's (docs/annual-accounts.md, Q13).",
    ),
    "model.simplified": (
        "simplifié (CSA art. 3:47 §2) : état des recettes et dépenses, annexe",
        "vereenvoudigd (WVV art. 3:47 §2): staat van ontvangsten en uitgaven, toelichting",
        "simplified (CSA art. 3:47 §2): receipts and expenses, annex",
    ),
    "model.micro": (
        "micro-modèle d'association (partie double)",
        "micromodel voor verenigingen (dubbel boekhouden)",
        "micro association model (double entry)",
    ),
    "model.abridged": (
        "modèle abrégé d'association (partie double)",
        "verkort model voor verenigingen (dubbel boekhouden)",
        "abridged association model (double entry)",
    ),
    "filing.simplified": (
        "greffe du tribunal de l'entreprise, dans les 30 jours de l'approbation par "
        "l'assemblée générale (au plus tard 6 mois après la clôture)",
        "griffie van de ondernemingsrechtbank, binnen 30 dagen na goedkeuring door de "
        "algemene vergadering (uiterlijk 6 maanden na afsluiting)",
        "registry of the enterprise court, within 30 days of the general assembly's "
        "approval (at most 6 months after the close)",
    ),
    "filing.micro": (
        "greffe du tribunal de l'entreprise (petite ASBL), ou Centrale des bilans de la BNB "
        "(volontairement, payant), dans les 30 jours de l'approbation",
        "griffie van de ondernemingsrechtbank (kleine vzw), of Balanscentrale van de NBB "
        "(vrijwillig, betalend), binnen 30 dagen na goedkeuring",
        "registry of the enterprise court (small ASBL), or the NBB Central Balance Sheet "
        "Office (voluntarily, for a fee), within 30 days of approval",
    ),
    "filing.abridged": (
        "Centrale des bilans de la BNB (ou greffe pour une petite ASBL), dans les 30 jours "
        "de l'approbation",
        "Balanscentrale van de NBB (of griffie voor een kleine vzw), binnen 30 dagen na "
        "goedkeuring",
        "NBB Central Balance Sheet Office (or the registry for a small ASBL), within 30 days "
        "of approval",
    ),
    # -- balance sheet
    "bs.assets": ("ACTIF", "ACTIVA", "ASSETS"),
    "bs.liabilities": ("PASSIF", "PASSIVA", "LIABILITIES"),
    "bs.total_assets": ("Total de l'actif", "Totaal der activa", "Total assets"),
    "bs.total_liabilities": ("Total du passif", "Totaal der passiva", "Total liabilities"),
    "bs.20": ("Frais d'établissement", "Oprichtingskosten", "Formation expenses"),
    "bs.21": (
        "Immobilisations incorporelles",
        "Immateriële vaste activa",
        "Intangible fixed assets",
    ),
    "bs.22_27": ("Immobilisations corporelles", "Materiële vaste activa", "Tangible fixed assets"),
    "bs.28": ("Immobilisations financières", "Financiële vaste activa", "Financial fixed assets"),
    "bs.29": (
        "Créances à plus d'un an",
        "Vorderingen op meer dan één jaar",
        "Amounts receivable after more than one year",
    ),
    "bs.3": (
        "Stocks et commandes en cours",
        "Voorraden en bestellingen in uitvoering",
        "Stocks and contracts in progress",
    ),
    "bs.40": ("Créances commerciales", "Handelsvorderingen", "Trade debtors"),
    "bs.41": ("Autres créances", "Overige vorderingen", "Other amounts receivable"),
    "bs.50_53": ("Placements de trésorerie", "Geldbeleggingen", "Current investments"),
    "bs.54_58": ("Valeurs disponibles", "Liquide middelen", "Cash at bank and in hand"),
    "bs.490_1": (
        "Comptes de régularisation",
        "Overlopende rekeningen",
        "Deferred charges and accrued income",
    ),
    "bs.499": (
        "Compte d'attente (à apurer avant la clôture)",
        "Wachtrekening (aan te zuiveren vóór de afsluiting)",
        "Suspense (to clear before the close)",
    ),
    "bs.10": ("Fonds de l'association", "Fondsen van de vereniging", "Association funds"),
    "bs.12": ("Plus-values de réévaluation", "Herwaarderingsmeerwaarden", "Revaluation surpluses"),
    "bs.13": ("Fonds affectés", "Bestemde fondsen", "Restricted funds"),
    "bs.14": ("Résultat reporté", "Overgedragen resultaat", "Result carried forward"),
    "bs.15": ("Subsides en capital", "Kapitaalsubsidies", "Capital grants"),
    "bs.16": ("Provisions", "Voorzieningen", "Provisions"),
    "bs.17": (
        "Dettes à plus d'un an",
        "Schulden op meer dan één jaar",
        "Amounts payable after more than one year",
    ),
    "bs.42_48": (
        "Dettes à un an au plus",
        "Schulden op ten hoogste één jaar",
        "Amounts payable within one year",
    ),
    "bs.42": (
        "Dettes à plus d'un an échéant dans l'année",
        "Schulden op meer dan één jaar die binnen het jaar vervallen",
        "Current portion of long-term debts",
    ),
    "bs.43": ("Dettes financières", "Financiële schulden", "Financial debts"),
    "bs.44": ("Dettes commerciales", "Handelsschulden", "Trade debts"),
    "bs.45": (
        "Dettes fiscales, salariales et sociales",
        "Schulden met betrekking tot belastingen, bezoldigingen en sociale lasten",
        "Taxes, remuneration and social security",
    ),
    "bs.46": ("Acomptes reçus", "Ontvangen vooruitbetalingen", "Advances received"),
    "bs.47_48": (
        "Autres dettes (dont les montants détenus pour les participants)",
        "Overige schulden (waaronder de bedragen gehouden voor deelnemers)",
        "Other debts (including the amounts held for participants)",
    ),
    "bs.492_3": (
        "Comptes de régularisation (dont subsides reportés)",
        "Overlopende rekeningen (waaronder overgedragen subsidies)",
        "Accrued charges and deferred income (including deferred grants)",
    ),
    "bs.result_year": (
        "Résultat de l'exercice à affecter",
        "Te bestemmen resultaat van het boekjaar",
        "Result of the year to be appropriated",
    ),
    "bs.note_held": (
        "Les autres dettes comprennent {held} détenus pour {n} participant(s) : l'argent reçu "
        "des clients pour leur activité, moins la contribution au hub, leurs coûts et ce qui "
        "leur a été versé.",
        "De overige schulden omvatten {held} gehouden voor {n} deelnemer(s): het geld dat "
        "klanten voor hun activiteit betaalden, min de bijdrage aan de hub, hun kosten en wat "
        "hun werd uitbetaald.",
        "Other debts include {held} held for {n} participant(s): what clients paid for their "
        "activity, less the contribution to the hub, their costs and what they were paid out.",
    ),
    # -- income statement
    "is.operating_income": ("Produits d'exploitation", "Bedrijfsopbrengsten", "Operating income"),
    "is.operating_charges": ("Charges d'exploitation", "Bedrijfskosten", "Operating charges"),
    "is.70": (
        "Chiffre d'affaires (dont les ventes des participants)",
        "Omzet (waaronder de verkopen van de deelnemers)",
        "Turnover (including the participants' sales)",
    ),
    "is.73": (
        "Cotisations, dons, legs et subsides",
        "Lidgelden, schenkingen, legaten en subsidies",
        "Membership fees, gifts, legacies and grants",
    ),
    "is.74": (
        "Autres produits d'exploitation",
        "Andere bedrijfsopbrengsten",
        "Other operating income",
    ),
    "is.74_contributions": (
        "dont contributions des participants au hub",
        "waarvan bijdragen van de deelnemers aan de hub",
        "of which participants' contributions to the hub",
    ),
    "is.76A": (
        "Produits d'exploitation non récurrents",
        "Niet-recurrente bedrijfsopbrengsten",
        "Non-recurring operating income",
    ),
    "is.total_operating_income": (
        "Total des produits d'exploitation",
        "Totaal bedrijfsopbrengsten",
        "Total operating income",
    ),
    "is.60": (
        "Approvisionnements et marchandises",
        "Handelsgoederen, grond- en hulpstoffen",
        "Raw materials, consumables and goods",
    ),
    "is.61": (
        "Services et biens divers",
        "Diensten en diverse goederen",
        "Services and other goods",
    ),
    "is.613_share": (
        "dont quote-part des participants (rétributions de tiers, 613)",
        "waarvan aandeel van de deelnemers (vergoedingen aan derden, 613)",
        "of which participants' share (fees to third parties, 613)",
    ),
    "is.61_participant_costs": (
        "dont coûts des activités des participants",
        "waarvan kosten van de activiteiten van de deelnemers",
        "of which costs of the participants' activities",
    ),
    "is.62": (
        "Rémunérations, charges sociales et pensions",
        "Bezoldigingen, sociale lasten en pensioenen",
        "Remuneration, social security and pensions",
    ),
    "is.630": ("Amortissements", "Afschrijvingen", "Depreciation"),
    "is.631_4": ("Réductions de valeur", "Waardeverminderingen", "Write-downs"),
    "is.635_8": (
        "Provisions pour risques et charges",
        "Voorzieningen voor risico's en kosten",
        "Provisions for risks and charges",
    ),
    "is.640_8": (
        "Autres charges d'exploitation (dont écarts de caisse)",
        "Andere bedrijfskosten (waaronder kasverschillen)",
        "Other operating charges (including cash differences)",
    ),
    "is.649": (
        "Charges d'exploitation portées à l'actif",
        "Als herstructureringskosten geactiveerde bedrijfskosten",
        "Operating charges capitalised",
    ),
    "is.66A": (
        "Charges d'exploitation non récurrentes",
        "Niet-recurrente bedrijfskosten",
        "Non-recurring operating charges",
    ),
    "is.total_operating_charges": (
        "Total des charges d'exploitation",
        "Totaal bedrijfskosten",
        "Total operating charges",
    ),
    "is.operating_result": ("Résultat d'exploitation", "Bedrijfsresultaat", "Operating result"),
    "is.75": ("Produits financiers", "Financiële opbrengsten", "Financial income"),
    "is.65": (
        "Charges financières (dont frais bancaires)",
        "Financiële kosten (waaronder bankkosten)",
        "Financial charges (including bank charges)",
    ),
    "is.67_77": ("Impôts sur le résultat", "Belastingen op het resultaat", "Income taxes"),
    "is.69_79": ("Affectations et prélèvements", "Resultaatverwerking", "Appropriations"),
    "is.result": ("Résultat de l'exercice", "Resultaat van het boekjaar", "Result of the year"),
    "is.note_gross": (
        "Le hub facture en son nom : ses produits comprennent les ventes des participants "
        "(70) et leurs contributions ({c}, 74), et la quote-part des participants (613) est "
        "comptée avant contribution. 74 et 613 sont donc tous deux plus élevés du montant "
        "des contributions ; la dernière colonne présente la quote-part nette des "
        "contributions, sans produit de contribution : même résultat.",
        "De hub factureert in eigen naam: zijn opbrengsten omvatten de verkopen van de "
        "deelnemers (70) en hun bijdragen ({c}, 74), en het aandeel van de deelnemers (613) "
        "wordt vóór bijdrage geteld. 74 en 613 liggen dus beide hoger met het bedrag van de "
        "bijdragen; de laatste kolom toont het aandeel na bijdragen, zonder "
        "bijdrageopbrengst: hetzelfde resultaat.",
        "The hub invoices in its own name: its income includes the participants' sales (70) "
        "and their contributions ({c}, 74), and the participants' share (613) is counted "
        "before the contribution, so 74 and 613 are both higher by the contributions; the "
        "last column shows the share net of contributions and no contribution income: the "
        "same result.",
    ),
    # -- receipts and expenses (simplified, cash basis)
    "re.receipts": ("RECETTES", "ONTVANGSTEN", "RECEIPTS"),
    "ex.expenses": ("DÉPENSES", "UITGAVEN", "EXPENSES"),
    "re.membership": ("Cotisations", "Lidgelden", "Membership fees"),
    "re.gifts": ("Dons et legs", "Schenkingen en legaten", "Gifts and legacies"),
    "re.grants": ("Subsides", "Subsidies", "Grants"),
    "re.other": ("Autres recettes", "Andere ontvangsten", "Other receipts"),
    "ex.goods": ("Marchandises et services", "Goederen en diensten", "Goods and services"),
    "ex.remuneration": ("Rémunérations", "Bezoldigingen", "Remuneration"),
    "ex.services": (
        "Services et biens divers",
        "Diensten en diverse goederen",
        "Services and other goods",
    ),
    "ex.other": ("Autres dépenses", "Andere uitgaven", "Other expenses"),
    "re.total_receipts": ("Total des recettes", "Totaal ontvangsten", "Total receipts"),
    "ex.total_expenses": ("Total des dépenses", "Totaal uitgaven", "Total expenses"),
    "sub.gifts": ("dons reçus", "ontvangen schenkingen", "gifts received"),
    "sub.grants": ("subsides reçus", "ontvangen subsidies", "grants received"),
    "sub.membership": ("cotisations reçues", "ontvangen lidgelden", "membership fees received"),
    "sub.sales": (
        "paiements des clients et ventes au comptant (activités des participants et du hub)",
        "betalingen van klanten en contante verkopen (activiteiten van deelnemers en hub)",
        "client payments and cash sales (participants' and hub's activities)",
    ),
    "sub.advances": ("acomptes reçus", "ontvangen vooruitbetalingen", "advances received"),
    "sub.other_income": (
        "autres produits (intérêts, excédents de caisse…)",
        "andere opbrengsten (intresten, kasoverschotten…)",
        "other income (interest, cash surpluses…)",
    ),
    "sub.vat": (
        "TVA (versée à l'État ou remboursée)",
        "Btw (aan de Staat betaald of terugbetaald)",
        "VAT (paid to or refunded by the State)",
    ),
    "sub.payouts": (
        "versements aux participants",
        "uitbetalingen aan deelnemers",
        "payouts to participants",
    ),
    "sub.refunds": (
        "remboursements aux clients",
        "terugbetalingen aan klanten",
        "refunds to clients",
    ),
    "sub.unexplained": (
        "mouvements bancaires pas encore expliqués (compte d'attente)",
        "bankbewegingen nog niet verklaard (wachtrekening)",
        "bank lines not yet explained (suspense)",
    ),
    "sub.opening": ("soldes d'ouverture", "beginsaldi", "opening balances"),
    "sub.goods": ("achats de marchandises", "aankopen van goederen", "purchases of goods"),
    "sub.services": (
        "services, biens divers et coûts des activités",
        "diensten, diverse goederen en kosten van de activiteiten",
        "services, other goods and activities' costs",
    ),
    "sub.remuneration": (
        "salaires et charges sociales",
        "lonen en sociale lasten",
        "salaries and social security",
    ),
    "sub.other_charges": (
        "frais bancaires, écarts de caisse, autres charges",
        "bankkosten, kasverschillen, andere kosten",
        "bank charges, cash differences, other charges",
    ),
    "sub.other_in": ("autres recettes", "andere ontvangsten", "other receipts"),
    "sub.other_out": ("autres dépenses", "andere uitgaven", "other expenses"),
    "re.reconciliation": (
        "Rapprochement avec les liquidités",
        "Aansluiting met de liquide middelen",
        "Reconciliation with cash at bank and in hand",
    ),
    "re.liquid_opening": (
        "Liquidités au début de l'exercice",
        "Liquide middelen bij het begin van het boekjaar",
        "Cash at the start of the year",
    ),
    "re.opening_entered": (
        "Soldes d'ouverture encodés pendant l'exercice",
        "Beginsaldi ingevoerd tijdens het boekjaar",
        "Opening balances entered during the year",
    ),
    "re.plus_receipts": ("+ recettes", "+ ontvangsten", "+ receipts"),
    "re.minus_expenses": ("− dépenses", "− uitgaven", "− expenses"),
    "re.transfers_under_way": (
        "± virements entre comptes du hub en cours (58)",
        "± overboekingen tussen rekeningen van de hub onderweg (58)",
        "± transfers between the hub's accounts under way (58)",
    ),
    "re.liquid_closing": (
        "Liquidités à la fin de l'exercice",
        "Liquide middelen op het einde van het boekjaar",
        "Cash at the end of the year",
    ),
    "re.note_cash_basis": (
        "Base caisse : chaque mouvement de la banque et de la caisse est classé selon ce "
        "qu'il paie ou encaisse (la contrepartie de l'écriture) ; les virements entre "
        "comptes du hub ne sont ni recettes ni dépenses.",
        "Kasbasis: elke beweging van bank en kas wordt ingedeeld volgens wat ze betaalt of "
        "ontvangt (de tegenboeking); overboekingen tussen rekeningen van de hub zijn "
        "ontvangsten noch uitgaven.",
        "Cash basis: each bank and cash movement is classified by what it paid or collected "
        "(the entry's counter-leg); transfers between the hub's own accounts are neither "
        "receipts nor expenses.",
    ),
    "re.note_vat": (
        "Les paiements des clients sont comptés TVA comprise ; la TVA versée à l'État ou "
        "remboursée figure à part (présentation hors TVA à confirmer par le comptable, "
        "docs/annual-accounts.md Q4).",
        "Betalingen van klanten worden inclusief btw geteld; btw betaald aan of terugbetaald "
        "door de Staat staat apart (voorstelling exclusief btw te bevestigen door de "
        "boekhouder, docs/annual-accounts.md Q4).",
        "Client payments are counted including VAT; VAT paid to or refunded by the State is "
        "shown apart (presentation excluding VAT to be confirmed by the accountant, "
        "docs/annual-accounts.md Q4).",
    ),
    # -- statement of assets and debts
    "pat.assets": ("AVOIRS", "BEZITTINGEN", "ASSETS"),
    "pat.debts": ("DETTES", "SCHULDEN", "DEBTS"),
    "pat.total_assets": ("Total des avoirs", "Totaal bezittingen", "Total assets"),
    "pat.total_debts": ("Total des dettes", "Totaal schulden", "Total debts"),
    "pat.net": ("Patrimoine net", "Netto vermogen", "Net assets"),
    "pat.buildings": (
        "Immeubles (terrains, constructions)",
        "Onroerende goederen (terreinen, gebouwen)",
        "Buildings (land, constructions)",
    ),
    "pat.machines": ("Machines", "Machines", "Machines"),
    "pat.furniture": (
        "Mobilier et matériel roulant",
        "Meubilair en rollend materieel",
        "Furniture and vehicles",
    ),
    "pat.stocks": ("Stocks", "Voorraden", "Stocks"),
    "pat.receivables": ("Créances", "Vorderingen", "Receivables"),
    "pat.investments": ("Placements de trésorerie", "Geldbeleggingen", "Investments"),
    "pat.cash": ("Liquidités", "Liquide middelen", "Cash"),
    "pat.other_assets": ("Autres avoirs", "Andere bezittingen", "Other assets"),
    "pat.financial_debts": ("Dettes financières", "Financiële schulden", "Financial debts"),
    "pat.suppliers": ("Dettes fournisseurs", "Schulden aan leveranciers", "Suppliers"),
    "pat.members": ("Dettes à l'égard des membres", "Schulden aan leden", "Debts to members"),
    "pat.tax_social": (
        "Dettes fiscales, salariales et sociales",
        "Fiscale, loon- en sociale schulden",
        "Tax, salary and social debts",
    ),
    "pat.other_debts": (
        "Autres dettes (dont les montants détenus pour les participants)",
        "Andere schulden (waaronder de bedragen gehouden voor deelnemers)",
        "Other debts (including the amounts held for participants)",
    ),
    "pat.note_held": (
        "Les autres dettes comprennent {held} détenus pour les participants.",
        "De andere schulden omvatten {held} gehouden voor de deelnemers.",
        "Other debts include {held} held for the participants.",
    ),
    "rc.grants_promised": (
        "Subsides octroyés, pas encore reçus",
        "Toegekende subsidies, nog niet ontvangen",
        "Grants granted, not yet received",
    ),
    # -- identity
    "id.contributions": (
        "Contributions des participants",
        "Bijdragen van de deelnemers",
        "Participants' contributions",
    ),
    "id.own_income": (
        "+ produits propres du hub (subsides, dons, ventes propres, intérêts…)",
        "+ eigen opbrengsten van de hub (subsidies, schenkingen, eigen verkopen, intresten…)",
        "+ the hub's own income (grants, gifts, own sales, interest…)",
    ),
    "id.own_costs": (
        "− charges propres du hub",
        "− eigen kosten van de hub",
        "− the hub's own costs",
    ),
    "id.grant_paid": (
        "− coûts d'activités de participants payés par un subside",
        "− kosten van activiteiten van deelnemers betaald met een subsidie",
        "− costs of participants' activities paid by a grant",
    ),
    "id.computed": (
        "= résultat selon le modèle comptable",
        "= resultaat volgens het boekhoudmodel",
        "= result by the accounting model",
    ),
    "id.books_result": (
        "Résultat des écritures (produits − charges de tous les comptes)",
        "Resultaat van de boekingen (opbrengsten − kosten van alle rekeningen)",
        "The books' result (income − charges of every account)",
    ),
    "id.contributions_meta": (
        "Contributions selon les métadonnées des encaissements (contrôle)",
        "Bijdragen volgens de metadata van de ontvangsten (controle)",
        "Contributions by the receipts' metadata (check)",
    ),
    "id.ok": (
        "L'identité est vérifiée : chaque sous-arbre de participant s'annule.",
        "De identiteit klopt: elke deelnemersdeelboom is nul.",
        "The identity holds: every participant's subtree nets to zero.",
    ),
    "id.fails": (
        "L'identité n'est PAS vérifiée.",
        "De identiteit klopt NIET.",
        "The identity does NOT hold.",
    ),
    # -- appendix
    "ap.valuation": (
        "1. Résumé des règles d'évaluation",
        "1. Samenvatting van de waarderingsregels",
        "1. Summary of the valuation rules",
    ),
    "ap.valuation_default": (
        "Les créances, dettes et liquidités sont évaluées à leur valeur nominale. Les "
        "machines, le mobilier et le matériel roulant sont évalués à leur valeur de revente. "
        "Les autres éléments sont évalués à leur valeur nominale.",
        "Vorderingen, schulden en liquide middelen worden gewaardeerd tegen hun nominale "
        "waarde. Machines, meubilair en rollend materieel worden gewaardeerd tegen hun "
        "verkoopwaarde. De andere bestanddelen worden gewaardeerd tegen hun nominale waarde.",
        "Receivables, debts and cash are valued at their nominal value. Machines, furniture "
        "and vehicles are valued at their resale value. Other items are valued at their "
        "nominal value.",
    ),
    "ap.adaptation": (
        "2. Adaptation des règles d'évaluation",
        "2. Aanpassing van de waarderingsregels",
        "2. Changes to the valuation rules",
    ),
    "ap.adaptation_none": ("Aucune.", "Geen.", "None."),
    "ap.adaptation_switched": (
        "L'association tient une comptabilité en partie double depuis le {date}.",
        "De vereniging voert een dubbele boekhouding sinds {date}.",
        "The association keeps double-entry books since {date}.",
    ),
    "ap.complementary": (
        "3. Informations complémentaires",
        "3. Aanvullende inlichtingen",
        "3. Complementary information",
    ),
    "ap.grants": (
        "Subsides et dons de l'exercice",
        "Subsidies en schenkingen van het boekjaar",
        "Grants and gifts of the year",
    ),
    "ap.no_grants": ("aucun", "geen", "none"),
    "ap.restricted": ("affecté", "bestemd", "restricted"),
    "ap.held_title": (
        "Montants détenus et reportés à la fin de l'exercice",
        "Gehouden en overgedragen bedragen op het einde van het boekjaar",
        "Amounts held and deferred at the end of the year",
    ),
    "ap.held": (
        "Montants détenus pour les participants ({n} participant(s) ; codes seulement "
        "dans les livres)",
        "Bedragen gehouden voor de deelnemers ({n} deelnemer(s); enkel codes in de boeken)",
        "Amounts held for participants ({n} participant(s); codes only in the books)",
    ),
    "ap.pending_share": (
        "Quote-part des participants sur les factures non encore payées",
        "Aandeel van de deelnemers in nog niet betaalde facturen",
        "Participants' share of invoices not yet paid",
    ),
    "ap.owed_by_participants": (
        "Dû par des participants au hub",
        "Door deelnemers aan de hub verschuldigd",
        "Owed to the hub by participants",
    ),
    "ap.payouts_in_transit": (
        "Versements ordonnés, pas encore débités",
        "Uitbetalingen opgedragen, nog niet gedebiteerd",
        "Payouts ordered, not yet debited",
    ),
    "ap.refunds_due": (
        "Remboursements dus aux clients",
        "Terugbetalingen verschuldigd aan klanten",
        "Refunds due to clients",
    ),
    "ap.deferred": (
        "Subsides affectés non utilisés, reportés (493)",
        "Niet-bestede bestemde subsidies, overgedragen (493)",
        "Unspent restricted grants, deferred (493)",
    ),
    "ap.restricted_funds": (
        "Fonds affectés (13)",
        "Bestemde fondsen (13)",
        "Restricted funds (13)",
    ),
    "ap.restricted_moved": (
        "Mouvements des fonds affectés de l'exercice (affectation du résultat)",
        "Bewegingen van de bestemde fondsen in het boekjaar (resultaatverwerking)",
        "Movements of restricted funds in the year (appropriation of the result)",
    ),
    "ap.gross_note": (
        "Les ventes des participants sont des ventes du hub, qui facture en son nom ; les "
        "contributions ({c}) sont la part du hub. Un subside affecté non utilisé est reporté "
        "en 493, jamais en fonds affectés (13), qui ne naissent que d'une affectation du "
        "résultat.",
        "De verkopen van de deelnemers zijn verkopen van de hub, die in eigen naam "
        "factureert; de bijdragen ({c}) zijn het deel van de hub. Een niet-bestede bestemde "
        "subsidie wordt overgedragen op 493, nooit op bestemde fondsen (13), die enkel uit "
        "een resultaatverwerking ontstaan.",
        "The participants' sales are the hub's sales (it invoices in its own name); the "
        "contributions ({c}) are the hub's part. An unspent restricted grant is deferred on "
        "493, never on restricted funds (13), which only arise from an appropriation of the "
        "result.",
    ),
    "ap.rights": (
        "4. Droits et engagements importants non quantifiables ou mentionnés",
        "4. Belangrijke rechten en verplichtingen",
        "4. Significant rights and commitments",
    ),
    "ap.rights_grants": (
        "Subsides promis (octroyés, pas encore reçus) : {amount}.",
        "Beloofde subsidies (toegekend, nog niet ontvangen): {amount}.",
        "Promised grants (granted, not yet received): {amount}.",
    ),
    # -- size
    "size.simplified": (
        "Petite ASBL — comptabilité simplifiée (CSA art. 3:47 §2)",
        "Kleine vzw — vereenvoudigde boekhouding (WVV art. 3:47 §2)",
        "Small ASBL — simplified accounts (CSA art. 3:47 §2)",
    ),
    "size.micro": (
        "Micro-association (CSA art. 1:29)",
        "Micro-vereniging (WVV art. 1:29)",
        "Micro association (CSA art. 1:29)",
    ),
    "size.small": (
        "Petite association (CSA art. 1:28)",
        "Kleine vereniging (WVV art. 1:28)",
        "Small association (CSA art. 1:28)",
    ),
    "size.fte": (
        "Travailleurs (ETP moyen, hub.toml)",
        "Werknemers (gemiddeld VTE, hub.toml)",
        "Workers (average FTE, hub.toml)",
    ),
    "size.receipts": (
        "Recettes (base caisse, hors non récurrentes)",
        "Ontvangsten (kasbasis, zonder niet-recurrente)",
        "Receipts (cash basis, non-recurring excluded)",
    ),
    "size.assets": ("Total des avoirs", "Totaal bezittingen", "Total assets"),
    "size.debts": ("Total des dettes", "Totaal schulden", "Total debts"),
    "size.turnover": (
        "Chiffre d'affaires (70, hors TVA)",
        "Omzet (70, excl. btw)",
        "Turnover (70, excl. VAT)",
    ),
    "size.total": ("Total du bilan", "Balanstotaal", "Balance-sheet total"),
    "size.over": ("oui", "ja", "yes"),
    "size.fits": (
        "Au plus un critère dépassé : la catégorie s'applique",
        "Ten hoogste één criterium overschreden: de categorie is van toepassing",
        "At most one criterion exceeded: the category applies",
    ),
    "size.exceeds": (
        "Plus d'un critère dépassé",
        "Meer dan één criterium overschreden",
        "More than one criterion exceeded",
    ),
    "size.note": (
        "La catégorie ne change que si le dépassement se produit deux exercices de suite. "
        "Les ventes des participants comptent dans le chiffre d'affaires du hub "
        "(docs/annual-accounts.md, Q3).",
        "De categorie verandert pas als de overschrijding zich twee boekjaren na elkaar "
        "voordoet. De verkopen van de deelnemers tellen mee in de omzet van de hub "
        "(docs/annual-accounts.md, Q3).",
        "The category only changes when the criteria are exceeded two years in a row. The "
        "participants' sales count in the hub's turnover (docs/annual-accounts.md, Q3).",
    ),
    # -- traceability
    "trace.equity": (
        "— (fonds propres : hors état du patrimoine)",
        "— (eigen vermogen: niet in de staat van het vermogen)",
        "— (equity: not in the statement of assets and debts)",
    ),
    "trace.no_money": (
        "— (aucun mouvement d'argent)",
        "— (geen geldbeweging)",
        "— (no money movement)",
    ),
    "trace.note": (
        "Chaque compte des livres figure dans une seule rubrique de chaque modèle, selon son "
        "code PCMN (métadonnée pcmn de son ouverture).",
        "Elke rekening van de boeken staat in één rubriek van elk model, volgens haar "
        "MAR-code (metadata pcmn van de opening).",
        "Every account of the books falls in one rubric of each model, by its PCMN code "
        "(the pcmn metadata of its open entry).",
    ),
    # -- VAT
    "vat.title": ("TVA", "Btw", "VAT"),
    "vat.regime.franchise": (
        "régime de la franchise (art. 56bis)",
        "vrijstellingsregeling (art. 56bis)",
        "franchise regime (art. 56bis)",
    ),
    "vat.regime.standard": ("régime normal", "normale regeling", "standard regime"),
    "vat.regime.exempt": ("exemption (art. 44)", "vrijstelling (art. 44)", "exempt (art. 44)"),
    "col.vat_number": ("N° TVA", "Btw-nummer", "VAT number"),
    "col.clients": ("Client(s)", "Klant(en)", "Client(s)"),
    "col.turnover": ("Chiffre d'affaires HTVA", "Omzet excl. btw", "Turnover excl. VAT"),
    "col.vat": ("TVA", "Btw", "VAT"),
    "col.listed": ("Listé", "Opgenomen", "Listed"),
    "col.month": ("Mois", "Maand", "Month"),
    "col.cumulative": ("Cumul", "Cumulatief", "Cumulative"),
    "col.period": ("Période", "Periode", "Period"),
    "col.grid": ("Grille", "Rooster", "Grid"),
    "col.grids": ("Selon les grilles", "Volgens de roosters", "By the grids"),
    "col.books": ("Selon les comptes", "Volgens de rekeningen", "By the accounts"),
    "col.agrees": ("Concorde", "Klopt", "Agrees"),
    "vat.yes": ("oui", "ja", "yes"),
    "vat.no": ("non", "nee", "no"),
    "vat.franchise_title": (
        "Chiffre d'affaires et seuil de la franchise",
        "Omzet en drempel van de vrijstellingsregeling",
        "Turnover and the franchise threshold",
    ),
    "vat.turnover_ytd": (
        "Chiffre d'affaires de l'année au {date} (HTVA, net des notes de crédit)",
        "Omzet van het jaar op {date} (excl. btw, na creditnota's)",
        "Turnover of the year at {date} (excl. VAT, net of credit notes)",
    ),
    "vat.threshold": (
        "Seuil annuel de la franchise",
        "Jaarlijkse drempel van de vrijstellingsregeling",
        "Annual franchise threshold",
    ),
    "vat.share": (
        "Part du seuil atteinte (%)",
        "Bereikt deel van de drempel (%)",
        "Share of the threshold reached (%)",
    ),
    "vat.projection": (
        "Projection sur l'année",
        "Projectie over het jaar",
        "Projection over the year",
    ),
    "vat.previous": ("Chiffre d'affaires {year}", "Omzet {year}", "Turnover {year}"),
    "vat.ok": (
        "Le chiffre d'affaires reste sous le seuil.",
        "De omzet blijft onder de drempel.",
        "The turnover stays below the threshold.",
    ),
    "vat.warning": (
        "ATTENTION : {share} % du seuil est atteint. Consultez le comptable avant "
        "de le dépasser (déclaration e604B, sortie de la franchise).",
        "OPGELET: "
        "{share} % van de drempel is bereikt. Raadpleeg de boekhouder voor u hem "
        "overschrijdt (aangifte e604B, einde van de vrijstelling).",
        "WARNING: "
        "{share} % of the threshold is reached. Consult the accountant before "
        "going over it (e604B declaration, leaving the franchise).",
    ),
    "vat.projected": (
        "ATTENTION : à ce rythme, l'année atteindrait {projection}, au-delà du "
        "seuil. Consultez le comptable.",
        "OPGELET: aan dit tempo zou het jaar "
        "{projection} bereiken, boven de drempel. Raadpleeg de boekhouder.",
        "WARNING: at this pace the year would reach {projection}, over the "
        "threshold. Consult the accountant.",
    ),
    "vat.over": (
        "LE SEUIL DE {threshold} EST DÉPASSÉ : la franchise prend fin ; consultez "
        "le comptable sans attendre (e604B).",
        "DE DREMPEL VAN {threshold} IS "
        "OVERSCHREDEN: de vrijstelling eindigt; raadpleeg onmiddellijk de boekhouder "
        "(e604B).",
        "THE {threshold} THRESHOLD IS EXCEEDED: the franchise ends; "
        "consult the accountant now (e604B).",
    ),
    "vat.franchise_note": (
        "Seuil de 25 000 EUR HTVA par année civile (Code TVA art. 56bis ; SPF Finances). "
        "Avertissement dès 80 %. Le moment exact de la sortie en cours d'année est à "
        "confirmer par le comptable (docs/vat-outputs.md, Q1).",
        "Drempel van 25 000 EUR excl. btw per kalenderjaar (Btw-wetboek art. 56bis; FOD "
        "Financiën). Waarschuwing vanaf 80 %. Het juiste moment van uittreden in de loop van "
        "het jaar te bevestigen door de boekhouder (docs/vat-outputs.md, Q1).",
        "Threshold of 25,000 EUR excl. VAT per calendar year (VAT Code art. 56bis; SPF "
        "Finances). Warning from 80 %. The exact moment the franchise ends during a year is "
        "for the accountant to confirm (docs/vat-outputs.md, Q1).",
    ),
    "vat.communication": (
        "À communiquer pour le 31 mars : le total des opérations de {year} en Belgique, {amount}.",
        "Mee te delen tegen 31 maart: het totaal "
        "van de handelingen van {year} in België, {amount}.",
        "To communicate by 31 March: the total of the operations of {year} in Belgium, {amount}.",
    ),
    "vat.listing_title": (
        "Listing annuel des clients assujettis {year}",
        "Jaarlijkse klantenlisting {year}",
        "Annual listing of VAT-registered clients {year}",
    ),
    "vat.listing_note": (
        "Clients belges assujettis à qui plus de 250 EUR HTVA ont été facturés dans l'année, "
        "net des notes de crédit, regroupés par numéro de TVA ; les clients sans numéro de "
        "TVA belge n'y figurent jamais. À déposer pour le 31 mars (à confirmer, Q4).",
        "Belgische btw-plichtige klanten aan wie meer dan 250 EUR excl. btw werd "
        "gefactureerd in het jaar, na creditnota's, gegroepeerd per btw-nummer; klanten "
        "zonder Belgisch btw-nummer staan er nooit in. In te dienen tegen 31 maart (te "
        "bevestigen, Q4).",
        "Belgian VAT-registered clients invoiced more than 250 EUR excl. VAT in the year, net "
        "of credit notes, grouped by VAT number; clients without a Belgian VAT number never "
        "appear. Due by 31 March (to be confirmed, Q4).",
    ),
    "vat.listing_nihil": (
        "Aucun client à lister : listing « néant ».",
        "Geen klanten op te nemen: listing „nihil”.",
        "No client to list: a nil listing.",
    ),
    "vat.returns_title": (
        "Déclarations périodiques (grilles)",
        "Periodieke aangiften (roosters)",
        "Periodic returns (grids)",
    ),
    "vat.check_title": (
        "Contrôle avec les comptes de TVA",
        "Controle met de btw-rekeningen",
        "Check against the VAT accounts",
    ),
    "vat.check_due": (
        "TVA due sur ventes − notes de crédit (451)",
        "Verschuldigde btw op verkopen − creditnota's (451)",
        "VAT due on sales − credit notes (451)",
    ),
    "vat.grids_note": (
        "Grilles selon docs/vat-outputs.md §2.2 (à faire valider par le comptable avant le "
        "premier dépôt, Q8). Montants toujours positifs ; 71 (à payer) ou 72 (à recevoir) "
        "est toujours rempli.",
        "Roosters volgens docs/vat-outputs.md §2.2 (te laten valideren door de boekhouder "
        "vóór de eerste indiening, Q8). Bedragen steeds positief; 71 (te betalen) of 72 "
        "(terug te krijgen) is altijd ingevuld.",
        "Grids per docs/vat-outputs.md §2.2 (to have the accountant sign them off before the "
        "first filing, Q8). Amounts are always positive; 71 (to pay) or 72 (to recover) is "
        "always filled.",
    ),
    "grid.00": (
        "Opérations soumises à un régime particulier / à 0 %",
        "Handelingen onder een bijzondere regeling / tegen 0 %",
        "Operations under a special regime / at 0 %",
    ),
    "grid.01": (
        "Opérations à 6 % (base)",
        "Handelingen tegen 6 % (maatstaf)",
        "Operations at 6 % (base)",
    ),
    "grid.02": (
        "Opérations à 12 % (base)",
        "Handelingen tegen 12 % (maatstaf)",
        "Operations at 12 % (base)",
    ),
    "grid.03": (
        "Opérations à 21 % (base)",
        "Handelingen tegen 21 % (maatstaf)",
        "Operations at 21 % (base)",
    ),
    "grid.49": (
        "Notes de crédit émises (base)",
        "Uitgereikte creditnota's (maatstaf)",
        "Credit notes issued (base)",
    ),
    "grid.54": (
        "TVA due sur les opérations des grilles 01 à 03",
        "Verschuldigde btw op de handelingen van roosters 01 tot 03",
        "VAT due on grids 01 to 03",
    ),
    "grid.64": (
        "TVA à récupérer sur les notes de crédit émises",
        "Terug te vorderen btw op uitgereikte creditnota's",
        "VAT to recover on credit notes issued",
    ),
    "grid.59": ("TVA déductible", "Aftrekbare btw", "Deductible VAT"),
    "grid.81": (
        "Achats : marchandises, matières premières (base)",
        "Aankopen: handelsgoederen, grondstoffen (maatstaf)",
        "Purchases: goods, raw materials (base)",
    ),
    "grid.82": (
        "Achats : services et biens divers (base)",
        "Aankopen: diensten en diverse goederen (maatstaf)",
        "Purchases: services and other goods (base)",
    ),
    "grid.83": (
        "Achats : biens d'investissement (base)",
        "Aankopen: bedrijfsmiddelen (maatstaf)",
        "Purchases: investment goods (base)",
    ),
    "grid.71": ("Taxe due à l'État", "Verschuldigd aan de Staat", "VAT due to the State"),
    "grid.72": ("Somme due par l'État", "Verschuldigd door de Staat", "Sum due by the State"),
    "vat.exempt_title": (
        "Assujetti exempté (art. 44 du Code de la TVA)",
        "Vrijgestelde belastingplichtige (art. 44 Btw-wetboek)",
        "Exempt taxable person (VAT Code art. 44)",
    ),
    "vat.exempt_statement": (
        "Aucune déclaration périodique, aucun listing clients et aucune TVA ne sont dus.",
        "Er zijn geen periodieke aangiften, geen klantenlisting en geen btw verschuldigd.",
        "No periodic return, no client listing and no VAT are due.",
    ),
    "vat.exempt_why": (
        "Le hub est en régime d'exemption de l'article 44 du Code de la TVA (exemptions "
        "sans droit à déduction, transposant les articles 132 et 135 de la directive TVA) : "
        "il ne porte pas de TVA en compte, ne déduit pas la TVA payée et ne dépose ni "
        "déclaration périodique ni listing clients.",
        "De hub valt onder de vrijstelling van artikel 44 van het Btw-wetboek (vrijstellingen "
        "zonder recht op aftrek, omzetting van de artikelen 132 en 135 van de btw-richtlijn): "
        "hij rekent geen btw aan, trekt geen betaalde btw af en dient geen periodieke "
        "aangifte of klantenlisting in.",
        "The hub is under the exemption of article 44 of the VAT Code (exemptions without "
        "right to deduction, transposing articles 132 and 135 of the VAT directive): it "
        "charges no VAT, deducts none and files no periodic return and no client listing.",
    ),
    "vat.exempt_intra": (
        "Seule exception : des achats de biens ou services intracommunautaires taxables en "
        "Belgique demandent une identification et une déclaration spéciale (formulaire 629).",
        "Enige uitzondering: intracommunautaire aankopen van goederen of diensten belastbaar "
        "in België vereisen een identificatie en een bijzondere aangifte (formulier 629).",
        "The one exception: intra-Community purchases of goods or services taxable in "
        "Belgium need an identification and a special return (form 629).",
    ),
    "vat.exempt_warning": (
        "{n} mouvement(s) de comptes de TVA ne cadrent pas avec "
        "l'exemption : à examiner avec le comptable.",
        "{n} beweging(en) "
        "op btw-rekeningen passen niet bij de vrijstelling: te bekijken "
        "met de boekhouder.",
        "{n} movement(s) on VAT accounts do not fit "
        "the exemption: review them with the accountant.",
    ),
    # -- grants
    "gr.title": ("Rapport de subside", "Subsidieverslag", "Grant report"),
    "gr.summary": ("Vue d'ensemble", "Overzicht", "Overview"),
    "gr.granted": ("Octroyé", "Toegekend", "Granted"),
    "gr.received": ("Reçu", "Ontvangen", "Received"),
    "gr.spent_before": (
        "Dépensé avant la période",
        "Besteed vóór de periode",
        "Spent before the period",
    ),
    "gr.spent_period": (
        "Dépensé pendant la période",
        "Besteed tijdens de periode",
        "Spent in the period",
    ),
    "gr.spent": ("Dépensé au total", "Besteed in totaal", "Spent in all"),
    "gr.deferred": (
        "Reporté aux exercices suivants (493)",
        "Overgedragen naar volgende boekjaren (493)",
        "Deferred to later years (493)",
    ),
    "gr.remaining": ("Reste disponible", "Nog beschikbaar", "Remaining"),
    "gr.intro": (
        "Octroyé par {funder} le {date} : {amount}. {restricted}",
        "Toegekend door {funder} op {date}: {amount}. {restricted}",
        "Granted by {funder} on {date}: {amount}. {restricted}",
    ),
    "gr.restricted": (
        "Subside affecté : il ne paie que son objet.",
        "Bestemde subsidie: ze betaalt enkel haar doel.",
        "Restricted grant: it pays for its purpose only.",
    ),
    "gr.costs": (
        "Coûts payés par le subside pendant la période",
        "Kosten betaald met de subsidie tijdens de periode",
        "Costs the grant paid in the period",
    ),
    "gr.by_category": ("Par catégorie de coût", "Per kostencategorie", "By category of cost"),
    "gr.by_activity": (
        "Par activité (codes des participants, jamais de nom)",
        "Per activiteit (codes van deelnemers, nooit een naam)",
        "By activity (participants' codes, never a name)",
    ),
    "gr.hub": (
        "le hub (coûts communs)",
        "de hub (gemeenschappelijke kosten)",
        "the hub (shared costs)",
    ),
    "gr.no_receipt": (
        "(pas de justificatif joint)",
        "(geen bewijsstuk bijgevoegd)",
        "(no receipt attached)",
    ),
    "gr.note": (
        "Les participants ne sont désignés que par leur code. Le solde reporté (493) est la "
        "part non utilisée d'un subside affecté à la clôture, reprise au fur et à mesure des "
        "dépenses des années suivantes.",
        "Deelnemers worden enkel met hun code aangeduid. Het overgedragen saldo (493) is het "
        "niet-bestede deel van een bestemde subsidie bij de afsluiting, dat wordt "
        "teruggenomen naarmate de volgende jaren uitgaven doen.",
        "Participants are named by their code only. The deferred balance (493) is the part "
        "of a restricted grant unspent at the close, released as later years spend it.",
    ),
    "col.description": ("Description", "Omschrijving", "Description"),
    "col.category": ("Catégorie", "Categorie", "Category"),
    "col.receipt": ("Justificatif", "Bewijsstuk", "Receipt"),
    "col.activity": ("Activité", "Activiteit", "Activity"),
    # -- treasurer
    "tr.title": ("Rapport du trésorier", "Verslag van de penningmeester", "Treasurer's report"),
    "tr.bank": (
        "Banques : livres et relevés",
        "Banken: boeken en uittreksels",
        "Banks: books and statements",
    ),
    "tr.books_end": (
        "Livres en fin de période",
        "Boeken op het einde van de periode",
        "Books at the end of the period",
    ),
    "tr.statement_date": ("Dernier relevé au", "Laatste uittreksel op", "Last statement at"),
    "tr.bank_balance": ("Solde selon la banque", "Saldo volgens de bank", "Balance per bank"),
    "tr.books_then": ("Livres à cette date", "Boeken op die datum", "Books at that date"),
    "tr.difference": ("Écart", "Verschil", "Difference"),
    "tr.bank_differs": (
        "Les livres et la banque diffèrent : importez les relevés manquants ou cherchez l'écart.",
        "Boeken en bank verschillen: importeer de ontbrekende uittreksels of zoek het verschil.",
        "The books and the bank differ: import the missing statements or find the difference.",
    ),
    "tr.month": (
        "Recettes et dépenses de la période",
        "Ontvangsten en uitgaven van de periode",
        "Receipts and expenses of the period",
    ),
    "tr.invoices": (
        "Factures ouvertes et en retard",
        "Openstaande en vervallen facturen",
        "Open and overdue invoices",
    ),
    "tr.overdue": (
        "{n} facture(s) en retard, pour {amount}.",
        "{n} vervallen factu(u)r(en), voor {amount}.",
        "{n} overdue invoice(s), for {amount}.",
    ),
    "tr.review": (
        "À décider : lignes bancaires en attente, encaissements non affectés",
        "Te beslissen: wachtende banklijnen, niet-toegewezen ontvangsten",
        "To decide: bank lines waiting, receipts not allocated",
    ),
    "tr.best": ("Meilleure proposition / motif", "Beste voorstel / reden", "Best candidate / why"),
    "tr.nothing": ("rien n'attend", "niets wacht", "nothing waits"),
    "tr.review_note": (
        "Décidez-les avec « coopledger reconcile ».",
        "Beslis ze met „coopledger reconcile”.",
        "Decide them with 'coopledger reconcile'.",
    ),
    "tr.cash": ("Caisse", "Kas", "Cash box"),
    "tr.cash_books": (
        "Caisse selon les livres au {date}",
        "Kas volgens de boeken op {date}",
        "Cash per the books at {date}",
    ),
    "tr.cash_counted": (
        "Dernier comptage ({date})",
        "Laatste telling ({date})",
        "Last count ({date})",
    ),
    "tr.cash_books_then": (
        "Livres le jour du comptage",
        "Boeken op de dag van de telling",
        "Books on the day of the count",
    ),
    "tr.cash_since": (
        "Mouvements depuis le comptage",
        "Bewegingen sinds de telling",
        "Movements since the count",
    ),
    "tr.count_due": (
        "Aucun comptage de caisse depuis plus d'un mois : comptez la caisse "
        "(« coopledger cash count »).",
        "Geen kastelling sinds meer dan een maand: tel de kas („coopledger cash count”).",
        "No cash count for more than a month: count the cash box ('coopledger cash count').",
    ),
    "tr.payouts": (
        "Versements ordonnés, pas encore débités",
        "Uitbetalingen opgedragen, nog niet gedebiteerd",
        "Payouts ordered, not yet debited",
    ),
    "tr.iban_end": ("Compte (fin)", "Rekening (einde)", "Account (end)"),
    "tr.exported": ("Exporté (pain.001)", "Geëxporteerd (pain.001)", "Exported (pain.001)"),
    "tr.close": ("Clôture de {year}", "Afsluiting van {year}", "Closing {year}"),
    "tr.closed": (
        "{year} est clôturé et scellé.",
        "{year} is afgesloten en verzegeld.",
        "{year} is closed and sealed.",
    ),
    "tr.nothing_blocks": (
        "Rien ne bloque la clôture.",
        "Niets blokkeert de afsluiting.",
        "Nothing blocks the close.",
    ),
    "col.invoice": ("Facture", "Factuur", "Invoice"),
    "col.due": ("Échéance", "Vervaldag", "Due"),
    "col.client": ("Client", "Klant", "Client"),
    "col.total": ("Total TVAC", "Totaal incl. btw", "Total incl. VAT"),
    "col.outstanding": ("Reste dû", "Openstaand", "Outstanding"),
    "col.status": ("Statut", "Status", "Status"),
    "status.open": ("ouverte", "open", "open"),
    "status.partly-paid": ("payée en partie", "deels betaald", "partly paid"),
    "status.overdue": ("en retard", "vervallen", "overdue"),
    "status.paid": ("payée", "betaald", "paid"),
    "status.credited": ("créditée", "gecrediteerd", "credited"),
    # -- a participant's year (plain words, for her)
    "py.title": ("Votre année {year}", "Jouw jaar {year}", "Your year {year}"),
    "py.code": ("Votre code :", "Je code:", "Your code:"),
    "py.summary": ("En quelques mots", "In een paar woorden", "In a few words"),
    "py.invoiced": (
        "En {period}, le hub a facturé {amount} à vos clients pour votre travail (sans la TVA).",
        "In {period} factureerde de hub {amount} aan je klanten voor je werk (zonder btw).",
        "In {period}, the hub invoiced your clients {amount} for your work (without VAT).",
    ),
    "py.received": (
        "Vos clients ont payé {amount} (sans la TVA).",
        "Je klanten betaalden {amount} (zonder btw).",
        "Your clients paid {amount} (without VAT).",
    ),
    "py.contribution": (
        "Le hub a gardé {amount} comme contribution, soit {share} % de ce que "
        "vos clients ont payé.",
        "De hub hield {amount} als bijdrage, dat is {share} % van wat je klanten betaalden.",
        "The hub kept {amount} as its contribution: {share} % of what your clients paid.",
    ),
    "py.costs": (
        "Le hub a payé {amount} de coûts pour votre activité, repris sur votre argent.",
        "De hub betaalde {amount} kosten voor je activiteit, afgetrokken van je geld.",
        "The hub paid {amount} of costs for your activity, taken from your money.",
    ),
    "py.payouts": (
        "Le hub vous a versé {amount}.",
        "De hub betaalde je {amount} uit.",
        "The hub paid you {amount}.",
    ),
    "py.in_transit": (
        "{amount} de ce montant est encore en route vers votre compte.",
        "{amount} daarvan is nog onderweg naar je rekening.",
        "{amount} of it is still on its way to your account.",
    ),
    "py.held": (
        "Le {date}, le hub garde {amount} pour vous.",
        "Op {date} houdt de hub {amount} voor je bij.",
        "On {date}, the hub keeps {amount} for you.",
    ),
    "py.pending": (
        "Vos clients doivent encore payer des factures : votre part, {amount}, vous "
        "reviendra quand ils paieront.",
        "Je klanten moeten nog facturen betalen: "
        "jouw deel, {amount}, krijg je wanneer ze betalen.",
        "Your clients still "
        "have invoices to pay: your share, {amount}, comes to you when they pay.",
    ),
    "py.owed": (
        "Vous devez {amount} au hub : ce sera repris sur vos prochains paiements.",
        "Je bent de hub {amount} verschuldigd: dat wordt verrekend met je volgende betalingen.",
        "You owe the hub {amount}: it will be taken from your next payments.",
    ),
    "py.footer": (
        "Une question ? Parlez-en à votre travailleur·se communautaire.",
        "Een vraag? Praat erover met je gemeenschapswerker.",
        "A question? Talk to your community worker.",
    ),
    "py.year": ("Votre argent cette année", "Je geld dit jaar", "Your money this year"),
    "py.l.held_opening": (
        "Ce que le hub gardait pour vous le {date}",
        "Wat de hub op {date} voor je bijhield",
        "What the hub kept for you on {date}",
    ),
    "py.l.received": (
        "+ payé par vos clients (sans TVA)",
        "+ betaald door je klanten (zonder btw)",
        "+ paid by your clients (without VAT)",
    ),
    "py.l.contribution": (
        "− contribution au hub",
        "− bijdrage aan de hub",
        "− contribution to the hub",
    ),
    "py.l.costs": (
        "− coûts de votre activité",
        "− kosten van je activiteit",
        "− costs of your activity",
    ),
    "py.l.payouts": ("− versé à vous", "− aan jou uitbetaald", "− paid out to you"),
    "py.l.closing": (
        "= ce que le hub garde pour vous le {date}",
        "= wat de hub op {date} voor je bijhoudt",
        "= what the hub keeps for you on {date}",
    ),
    "py.l.invoiced": (
        "Facturé à vos clients (sans TVA)",
        "Gefactureerd aan je klanten (zonder btw)",
        "Invoiced to your clients (without VAT)",
    ),
    "py.l.pending": (
        "Votre part des factures pas encore payées",
        "Jouw deel van de nog niet betaalde facturen",
        "Your share of invoices not paid yet",
    ),
    "py.months": ("Mois par mois", "Maand per maand", "Month by month"),
    "py.c.invoiced": ("Facturé", "Gefactureerd", "Invoiced"),
    "py.c.received": ("Payé par les clients", "Betaald door klanten", "Paid by clients"),
    "py.c.contribution": ("Contribution", "Bijdrage", "Contribution"),
    "py.c.costs": ("Coûts", "Kosten", "Costs"),
    "py.c.payouts": ("Versé à vous", "Aan jou uitbetaald", "Paid to you"),
    "py.c.balance": ("Gardé pour vous", "Voor jou bijgehouden", "Kept for you"),
    "py.movements": ("Chaque mouvement", "Elke beweging", "Every movement"),
    "py.c.what": ("Quoi", "Wat", "What"),
    "py.c.held": ("Pour vous", "Voor jou", "For you"),
    "py.c.owed": ("Vous devez au hub", "Je bent de hub verschuldigd", "You owe the hub"),
    "py.none": (
        "Aucun mouvement cette année.",
        "Geen bewegingen dit jaar.",
        "No movement this year.",
    ),
    "py.k.payment": ("paiement d'un client", "betaling van een klant", "payment from a client"),
    "py.k.expense": ("coût de votre activité", "kost van je activiteit", "cost of your activity"),
    "py.k.payout": ("versement à vous", "uitbetaling aan jou", "payout to you"),
    "py.k.credit-reversal": (
        "note de crédit sur une facture déjà payée",
        "creditnota op een al betaalde factuur",
        "credit note on an invoice already paid",
    ),
    "py.k.cash-sale": ("vente payée en espèces", "verkoop, contant betaald", "sale paid in cash"),
    "py.k.settlement": (
        "versement revenu (refusé par la banque)",
        "uitbetaling teruggekomen (geweigerd door de bank)",
        "payout returned (refused by the bank)",
    ),
    # -- fees slips
    "fs.title": (
        "Fiches 281.50 : montants par participant",
        "Fiches 281.50: bedragen per deelnemer",
        "281.50 slips: amounts per participant",
    ),
    "fs.amounts": (
        "Montants {year} par code de participant",
        "Bedragen {year} per deelnemerscode",
        "Amounts {year} per participant code",
    ),
    "fs.received": (
        "Payé par ses clients (HTVA)",
        "Betaald door haar klanten (excl. btw)",
        "Paid by her clients (excl. VAT)",
    ),
    "fs.contribution": ("Contribution au hub", "Bijdrage aan de hub", "Contribution to the hub"),
    "fs.attributed": (
        "Attribué (zone {zone})",
        "Toegekend (vak {zone})",
        "Attributed (zone {zone})",
    ),
    "fs.costs": (
        "Coûts imputés (pour information)",
        "Aangerekende kosten (ter info)",
        "Costs charged (for information)",
    ),
    "fs.total": ("Total (zone 2064)", "Totaal (vak 2064)", "Total (zone 2064)"),
    "fs.paid": (
        "Réellement payé (zone 2065)",
        "Werkelijk betaald (vak 2065)",
        "Actually paid (zone 2065)",
    ),
    "fs.slip": (
        "Fiche (> {threshold} EUR)",
        "Fiche (> {threshold} EUR)",
        "Slip (> {threshold} EUR)",
    ),
    "fs.codes_only": (
        "Codes seulement : ce document n'identifie personne.",
        "Enkel codes: dit document identificeert niemand.",
        "Codes only: this document identifies no one.",
    ),
    "fs.rules": (
        "Fiche 281.50 pour les commissions, honoraires et rétributions payés ou attribués "
        "dans l'année, au-delà de 250 EUR par bénéficiaire (CIR 92 art. 57 ; AR/CIR 92 art. "
        "30-31), à déposer au plus tard le 29 juin de l'année suivante dans "
        "Belcotax-on-web ; à défaut, cotisation distincte et amendes (docs/fees-slips.md).",
        "Fiche 281.50 voor commissies, erelonen en vergoedingen betaald of toegekend in het "
        "jaar, boven 250 EUR per verkrijger (WIB 92 art. 57; KB/WIB 92 art. 30-31), in te "
        "dienen uiterlijk op 29 juni van het volgende jaar in Belcotax-on-web; anders "
        "afzonderlijke aanslag en boetes (docs/fees-slips.md).",
        "281.50 slip for commissions, fees and remunerations paid or attributed in the year, "
        "above 250 EUR per beneficiary (CIR 92 art. 57; RD/CIR 92 art. 30-31), due by 29 June "
        "of the next year in Belcotax-on-web; otherwise a separate assessment and fines "
        "(docs/fees-slips.md).",
    ),
    "fs.open": (
        "À trancher par le comptable et l'avocat : la zone (2060 commissions ou 2061 "
        "honoraires), les frais (2063), le seuil sur le total ou sur le payé, et d'abord la "
        "qualification même des versements (docs/fees-slips.md, Q1-Q5).",
        "Te beslissen door boekhouder en advocaat: het vak (2060 commissies of 2061 "
        "erelonen), de kosten (2063), de drempel op het totaal of op het betaalde, en eerst de "
        "kwalificatie zelf van de uitbetalingen (docs/fees-slips.md, Q1-Q5).",
        "For the accountant and the lawyer to decide: the zone (2060 commissions or 2061 "
        "fees), expenses (2063), the threshold on the total or on what was paid, and first "
        "what the payouts legally are (docs/fees-slips.md, Q1-Q5).",
    ),
    "fs.disclosure": (
        "Ce qu'une fiche révèle, et à qui",
        "Wat een fiche onthult, en aan wie",
        "What a slip discloses, and to whom",
    ),
    "fs.disclose_what": (
        "Une fiche 281.50 identifie une personne (nom, prénoms, adresse, numéro national ou "
        "données de naissance) et dit que le hub lui a payé tel montant pour des services "
        "pendant l'année.",
        "Een fiche 281.50 identificeert een persoon (naam, voornamen, adres, rijksregisternummer "
        "of geboortegegevens) en zegt dat de hub haar zoveel betaalde voor diensten in het "
        "jaar.",
        "A 281.50 slip identifies a person (surname, first names, address, national number or "
        "birth data) and states that the hub paid her a given amount for services in the year.",
    ),
    "fs.disclose_whom": (
        "Elle est envoyée au SPF Finances (Belcotax), qui l'utilise pour imposer la "
        "bénéficiaire. Ce qui peut en être communiqué à d'autres services (inspection sociale, "
        "Office des étrangers, police) n'a pas été établi.",
        "Ze wordt naar de FOD Financiën (Belcotax) gestuurd, die ze gebruikt om de verkrijger "
        "te belasten. Wat ervan aan andere diensten (sociale inspectie, Dienst "
        "Vreemdelingenzaken, politie) kan worden meegedeeld, werd niet vastgesteld.",
        "It is sent to the SPF Finances (Belcotax), which uses it to tax the beneficiary. What "
        "of it may reach other services (social inspection, the immigration office, the "
        "police) was not established.",
    ),
    "fs.disclose_lawyer": (
        "Déposer ou non des fiches pour les participants est une décision de l'avocat du hub.",
        "Al dan niet fiches indienen voor de deelnemers is een beslissing van de advocaat van "
        "de hub.",
        "Whether to file slips for participants is for the hub's lawyer to decide.",
    ),
    "fs.enabled": (
        "hub.toml : fiches activées (décision enregistrée). Les données d'identité ne sont "
        "produites qu'avec --identities et la clé du hub, dans un fichier séparé (0600), "
        "jamais dans les livres.",
        "hub.toml: fiches ingeschakeld (beslissing vastgelegd). Identiteitsgegevens worden "
        "enkel met --identities en de sleutel van de hub gemaakt, in een apart bestand (0600), "
        "nooit in de boeken.",
        "hub.toml: slips turned on (decision recorded). Identity data are produced only with "
        "--identities and the hub key, in a separate file (0600), never in the books.",
    ),
    "fs.disabled": (
        "hub.toml : fiches non activées ; aucune donnée d'identité ne peut être produite.",
        "hub.toml: fiches niet ingeschakeld; er kunnen geen identiteitsgegevens worden gemaakt.",
        "hub.toml: slips not turned on; no identity data can be produced.",
    ),
    "fs.sheet_written": (
        "Fichier séparé écrit : les données de {n} fiche(s) avec les identités, à encoder dans "
        "Belcotax-on-web. Gardez-le chiffré et détruisez-le après l'envoi.",
        "Apart bestand geschreven: de gegevens van {n} fiche(s) met de identiteiten, in te "
        "voeren in Belcotax-on-web. Bewaar het versleuteld en vernietig het na verzending.",
        "Separate file written: the data of {n} slip(s) with the identities, to encode in "
        "Belcotax-on-web. Keep it encrypted and destroy it once sent.",
    ),
}


def has(key: str) -> bool:
    return key in TEXTS


def t(lang: str, key: str, **values: Any) -> str:
    """The text of ``key`` in ``lang`` (fr, nl or en), with ``values`` filled in."""
    text = TEXTS[key][LANGS.index(lang)]
    return text.format(**values) if values else text
