/**
 * The policy a moderator applies, in one place: a short description per label (shown beside the
 * item in the console) and the reasons a decision may cite. A decision's `reason` must be one of
 * these codes, so decisions stay countable and the export knows what each one meant.
 */

export interface PolicyReason {
  code: string;
  text: string;
}

export interface LabelPolicy {
  label: string;
  title: string;
  /** What the policy forbids, in two or three sentences. */
  summary: string;
  /** What is allowed although it looks close. */
  allowed: string;
  takedownReasons: PolicyReason[];
}

export const LABEL_POLICIES: readonly LabelPolicy[] = [
  {
    label: 'csam',
    title: 'Child sexual abuse material',
    summary: 'Any sexualised depiction of minors, links to it, or offers to trade it. Zero tolerance: take down globally.',
    allowed: 'Reporting about abuse and child-safety education without depictions.',
    takedownReasons: [
      { code: 'csam.depiction', text: 'Sexualised depiction of a minor' },
      { code: 'csam.distribution', text: 'Offers, links or trading of such material' },
    ],
  },
  {
    label: 'extremism',
    title: 'Violent extremism',
    summary: 'Propaganda, recruitment or praise for designated terrorist and violent extremist groups, and calls to violence.',
    allowed: 'News, research and documentary reporting that does not glorify; counter-speech.',
    takedownReasons: [
      { code: 'extremism.propaganda', text: 'Propaganda or glorification of a violent group' },
      { code: 'extremism.recruitment', text: 'Recruitment or fundraising for a violent group' },
      { code: 'extremism.incitement', text: 'Call to violence' },
    ],
  },
  {
    label: 'illegal_goods',
    title: 'Illegal goods and drugs',
    summary: 'Sale or brokering of drugs, weapons, forged documents or stolen data, including dead-drop ("закладки") offers.',
    allowed: 'Harm reduction, drug policy debate, legal pharmacies.',
    takedownReasons: [
      { code: 'illegal_goods.drugs', text: 'Sale of illegal drugs' },
      { code: 'illegal_goods.weapons', text: 'Sale of weapons or explosives' },
      { code: 'illegal_goods.documents', text: 'Forged documents or stolen data' },
    ],
  },
  {
    label: 'sexual_services',
    title: 'Commercial sexual services',
    summary: 'Offers of paid sexual services, escort advertising and trafficking indicators.',
    allowed: 'Sex education, health information, support for sex workers.',
    takedownReasons: [
      { code: 'sexual_services.offer', text: 'Advertising paid sexual services' },
      { code: 'sexual_services.trafficking', text: 'Trafficking indicators' },
    ],
  },
  {
    label: 'nsfw',
    title: 'Adult content in public search',
    summary: 'Explicit sexual imagery in public channels reachable from search. Often a jurisdictional decision.',
    allowed: 'Art, medical and educational nudity in context.',
    takedownReasons: [{ code: 'nsfw.explicit', text: 'Explicit sexual content in search' }],
  },
  {
    label: 'scam',
    title: 'Scams and phishing',
    summary: 'Phishing links, fake giveaways, impersonation of brands or officials, investment fraud.',
    allowed: 'Real giveaways by the named brand; warnings about scams.',
    takedownReasons: [
      { code: 'scam.phishing', text: 'Phishing or credential theft' },
      { code: 'scam.fake_giveaway', text: 'Fake giveaway or prize' },
      { code: 'scam.investment', text: 'Investment or crypto fraud' },
      { code: 'scam.impersonation', text: 'Impersonation of a brand or official' },
    ],
  },
  {
    label: 'hate',
    title: 'Hate speech',
    summary: 'Attacks on people for a protected characteristic: dehumanisation, slurs, calls for exclusion.',
    allowed: 'Quoting to condemn, reclaimed terms, criticism of ideas and institutions.',
    takedownReasons: [
      { code: 'hate.dehumanisation', text: 'Dehumanising a protected group' },
      { code: 'hate.slurs', text: 'Slurs against a protected group' },
    ],
  },
  {
    label: 'spam',
    title: 'Spam',
    summary: 'Bulk, repetitive or deceptive promotion, keyword stuffing and search manipulation.',
    allowed: 'Ordinary promotion of a channel by its owner.',
    takedownReasons: [
      { code: 'spam.bulk', text: 'Bulk or repetitive promotion' },
      { code: 'spam.search_manipulation', text: 'Keyword stuffing or search manipulation' },
    ],
  },
];

export const KEEP_REASONS: readonly PolicyReason[] = [
  { code: 'keep.no_violation', text: 'No violation' },
  { code: 'keep.news_or_research', text: 'News, research or documentary context' },
  { code: 'keep.counter_speech', text: 'Counter-speech or condemnation' },
  { code: 'keep.satire_or_fiction', text: 'Satire or fiction' },
];

export const ESCALATE_REASONS: readonly PolicyReason[] = [
  { code: 'escalate.unclear_policy', text: 'Policy unclear for this case' },
  { code: 'escalate.legal_risk', text: 'Legal risk or authority request' },
  { code: 'escalate.high_reach', text: 'High reach: needs a second look' },
  { code: 'escalate.language', text: 'Needs someone who reads the language' },
];

export const REVERSE_REASONS: readonly PolicyReason[] = [
  { code: 'reverse.appeal_upheld', text: 'Appeal upheld' },
  { code: 'reverse.mistake', text: 'Mistaken decision' },
  { code: 'reverse.authority_withdrawn', text: 'Authority order withdrawn' },
];

export const POLICY_LABELS: readonly string[] = LABEL_POLICIES.map((p) => p.label);

const byLabel = new Map(LABEL_POLICIES.map((p) => [p.label, p]));

export function policyFor(label: string | null | undefined): LabelPolicy | undefined {
  return label ? byLabel.get(label) : undefined;
}

/** The label a takedown reason code belongs to (`scam.phishing` → `scam`). */
export function labelOfReason(code: string): string | undefined {
  const label = code.split('.')[0];
  return label && byLabel.get(label)?.takedownReasons.some((r) => r.code === code) ? label : undefined;
}

export function reasonText(code: string): string {
  for (const p of LABEL_POLICIES) for (const r of p.takedownReasons) if (r.code === code) return r.text;
  for (const r of [...KEEP_REASONS, ...ESCALATE_REASONS, ...REVERSE_REASONS]) if (r.code === code) return r.text;
  return code;
}
