-- Consent text version 2: the same consent, worded as the portal speaks. Version 1 called
-- the other employers "collega-organisatie" / "fellow organisation"; the portal says
-- "werkgever" / "employer" throughout. Nothing else changes. New consents take the newest
-- text (consent.repository.current_text); every consent record keeps the version its
-- person agreed to, so version 1 stays published (consent_text is immutable anyway).

-- Inserting a text is the system's (forced row-level security binds the migration owner).
select set_config('app.role', 'system', true);

insert into consent_text (id, purpose, version, language, body, body_sha256) values
('6a0b3c1e-4d2f-4e8a-9b71-0c5d2e3f4a03', 'EXCHANGE_MATCHING', '2', 'nl',
$nl$Toestemming voor de uitwisseling van je profiel

Een werkgever uit ons samenwerkingsverband van contactcenters wil je profiel delen met de andere aangesloten werkgevers. Zo kan een andere werkgever je een baan aanbieden die beter bij je past dan de functie waarvoor je solliciteerde, of de volgende stap die je zoekt.

Wat de werkgevers te zien krijgen
Alleen een profiel zonder naam: je vaardigheden en talen met hun niveau, je regio (de vier cijfers van je postcode) en hoe ver je wilt reizen, het aantal uren en de diensten die je kunt werken, wanneer je kunt beginnen, welke rol je ambieert, je minimale salaris en ervaring uit andere sectoren. Je profiel heeft een schuilnaam.

Wat zij niet zien
Je naam, e-mailadres en telefoonnummer. Die krijgt een werkgever pas als je zelf een verzoek tot kennismaking van die werkgever accepteert, en dan alleen die ene werkgever. De werkgever die je profiel heeft gedeeld, ziet het nooit terug als zoekresultaat.

Jij beslist
Je kiest welke werkgevers je profiel mogen zien (alle, alleen enkele, of alle behalve enkele) en voor hoe lang: standaard zes maanden, hoogstens twaalf. Je kunt je keuze altijd aanpassen of je toestemming intrekken; vanaf dat moment ziet geen enkele werkgever je profiel meer. Je kunt ook zien welke werkgever je profiel bekeek, al je gegevens downloaden en alles laten wissen.

Bewaren en wissen
Bevestig je niet binnen veertien dagen, dan wissen we het profiel en je contactgegevens. Loopt je toestemming af of trek je haar in, dan verdwijnt je profiel direct uit de uitwisseling en wissen we je gegevens na een korte bewaartermijn, tenzij je verlengt. Twee weken voor het einde sturen we je een herinnering. In ons logboek blijven alleen schuilnamen staan, nooit je naam of contactgegevens.$nl$, ''),
('6a0b3c1e-4d2f-4e8a-9b71-0c5d2e3f4a04', 'EXCHANGE_MATCHING', '2', 'en',
$en$Consent to exchange your profile

An employer from our partnership of contact centres would like to share your profile with the other member employers. That way another employer can offer you a job that suits you better than the one you applied for, or the next step you are looking for.

What the employers will see
Only a profile without your name: your skills and languages with their levels, your region (the four digits of your postcode) and how far you want to travel, the hours and shifts you can work, when you can start, the role you aim for, your minimum pay and experience from other sectors. Your profile carries a pseudonym.

What they will not see
Your name, email address and phone number. An employer only receives them when you accept an introduction request from that employer yourself, and then only that one employer. The employer that shared your profile never gets it back as a search result.

You decide
You choose which employers may see your profile (all of them, only some, or all except some) and for how long: six months by default, twelve at most. You can change your choice or withdraw your consent at any time; from that moment no employer sees your profile any more. You can also see which employer looked at your profile, download all your data and have everything erased.

Keeping and erasing
If you do not confirm within fourteen days, we erase the profile and your contact details. When your consent ends or you withdraw it, your profile leaves the exchange at once and we erase your data after a short grace period, unless you renew. We send you a reminder two weeks before the end. Our log keeps pseudonyms only, never your name or contact details.$en$, '');
