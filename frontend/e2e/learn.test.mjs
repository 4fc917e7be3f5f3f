// Learn feature end to end, as a new guest at 360 px: the path map, the first lesson card by card
// (buttons, a swipe, a glossary word), its quiz with exactly one wrong answer, the results, XP /
// streak / progress on the Learn page, the missed question in the daily review, and the badges.
// Every screen is screenshotted (test-results/learn-*.png) and checked with axe, in light and dark.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { BASE_URL, NO_BACKEND, openMobilePage, screenshot, seriousA11yViolations, sessionToken } from './support.mjs';

const skip = NO_BACKEND && 'needs the real learn API';
const THEME_KEY = 'eaili5.theme';

let session;
/** The first lesson of the first path, as the API serves it. */
let lesson;
/** question id -> the option ids that are right, learned from a scout's graded answers. */
const rightAnswers = new Map();
/** The question the learner gets wrong on purpose, and the option picked for it. */
let missed;
let xpEarned;
/** The number (1-based) of the first card with a glossary word. */
let glossaryCard;

before(async () => {
  if (skip) return;
  session = await openMobilePage();
});

after(async () => {
  await session?.browser.close();
});

async function api(method, path, token, body) {
  const response = await fetch(`${BASE_URL}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.ok(response.ok, `${method} ${path}: ${response.status} ${await response.clone().text()}`);
  return response.json();
}

/**
 * Finds the right answers honestly: a separate guest (the scout) answers every question with its
 * first option and reads the server's grading, so the learner's own record stays clean.
 */
async function scoutAnswers(lessonId) {
  const { token } = await api('POST', '/api/session');
  const scouted = await api('GET', `/api/learn/lessons/${lessonId}`, token);
  let attemptId = null;
  for (const question of scouted.quiz) {
    const graded = await api('POST', `/api/learn/lessons/${lessonId}/quiz`, token, {
      attempt_id: attemptId,
      answers: [{ question_id: question.id, option_ids: [question.options[0].id] }],
    });
    attemptId = graded.attempt_id;
    rightAnswers.set(question.id, graded.graded[0].correct_option_ids);
  }
}

async function heading(name) {
  const h1 = session.page.getByRole('heading', { level: 1, name });
  await h1.waitFor();
  return h1;
}

async function settled() {
  await session.page.waitForFunction(
    () => !document.querySelector('[aria-busy="true"], [role="status"].ui-page-skeleton'),
  );
}

async function checkScreen(name, theme) {
  await settled();
  await screenshot(session.page, `learn-${name}-${theme}`);
  assert.deepEqual(await seriousA11yViolations(session.page), [], `axe on ${name} (${theme})`);
}

async function useTheme(theme) {
  const { page } = session;
  await page.evaluate((key) => localStorage.setItem(key, 'system'), THEME_KEY);
  await page.emulateMedia({ colorScheme: theme });
}

async function learnStats() {
  const stats = session.page.getByTestId('learn-stats');
  await stats.waitFor();
  return {
    streak: await stats.getByTestId('streak').innerText(),
    xp: await stats.getByTestId('xp').innerText(),
  };
}

/** A sideways finger stroke on the lesson card, through Chromium's touch input. */
async function swipe(fromX, toX) {
  const { page, context } = session;
  const box = await page.getByTestId('lesson-card').boundingBox();
  const y = box.y + Math.min(box.height / 2, 120);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x: fromX, y }] });
  for (const step of [0.33, 0.66, 1]) {
    await cdp.send('Input.dispatchTouchEvent', {
      type: 'touchMove',
      touchPoints: [{ x: fromX + (toX - fromX) * step, y: y + 4 }],
    });
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await cdp.detach();
}

async function cardTitle() {
  return session.page.getByTestId('lesson-card').getByRole('heading', { level: 2 }).innerText();
}

/**
 * Waits for the card to show `title`. The card number lives in the URL, and React Router renders a
 * search-param change as a transition, so the new card can paint a frame after the click returns.
 */
async function expectCardTitle(title) {
  const shown = await session.page
    .waitForFunction(
      (expected) => document.querySelector('[data-testid="lesson-card"] h2')?.textContent === expected,
      title,
      { timeout: 5_000 },
    )
    .then(
      () => true,
      () => false,
    );
  if (!shown) assert.equal(await cardTitle(), title);
}

test('the Learn page shows streak, XP and the path map with progress rings', { skip }, async () => {
  const { page } = session;
  await page.goto(`${BASE_URL}/learn`);
  await heading('Learn');
  const paths = page.getByTestId('learn-path');
  await paths.first().waitFor();
  assert.equal(await paths.count(), 7, 'seven paths');
  assert.match(await paths.first().innerText(), /Crypto basics[\s\S]*0 of \d+ lessons done/);
  const stats = await learnStats();
  assert.match(stats.streak, /^0 days/);
  assert.match(stats.xp, /^0 XP/);
  await checkScreen('paths', 'light');

  const apiPaths = await api('GET', '/api/learn/paths', await sessionToken(page));
  lesson = await api('GET', `/api/learn/lessons/${apiPaths.paths[0].lessons[0].id}`, await sessionToken(page));
  await scoutAnswers(lesson.id);
  assert.equal(rightAnswers.size, lesson.quiz.length);
});

test('the first lesson reads card by card, with Next, Back, a swipe and glossary words', { skip }, async () => {
  const { page } = session;
  await page.getByTestId('learn-path').first().click();
  await heading('Crypto basics');
  const first = page.getByTestId('lesson-link').first();
  assert.equal(await first.getAttribute('data-state'), 'next');
  assert.equal(await page.getByTestId('lesson-link').nth(1).getAttribute('data-state'), 'locked');
  await checkScreen('path', 'light');

  await first.click();
  await heading(lesson.title);
  await expectCardTitle(lesson.cards[0].title);
  assert.equal(await page.getByTestId('progress-dots').innerText(), `1 / ${lesson.cards.length + 1}`);
  await checkScreen('lesson-card', 'light');

  // A left swipe turns to the next card, a right swipe back.
  await swipe(320, 60);
  await expectCardTitle(lesson.cards[1].title);
  await swipe(40, 300);
  await expectCardTitle(lesson.cards[0].title);

  // The buttons walk through every card; the first glossary word met opens its meaning in a
  // dialog (which also makes it a review card), and Escape closes it.
  let openedTerm = false;
  for (const [index, card] of lesson.cards.entries()) {
    if (index > 0) await page.getByRole('button', { name: 'Next', exact: true }).click();
    await expectCardTitle(card.title);
    const words = page.getByTestId('lesson-card').locator('.glossary-term');
    if (openedTerm || (await words.count()) === 0) continue;
    await words.first().click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    const term = (await dialog.getByRole('heading').innerText()).toLowerCase();
    assert.ok(
      lesson.glossary.some((t) => t.term.toLowerCase() === term),
      `${term} is a glossary term of the lesson`,
    );
    await dialog.getByText('added this word to your daily review').waitFor();
    await checkScreen('glossary', 'light');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.equal(
      await words.first().evaluate((el) => el === document.activeElement),
      true,
      'focus returns to the word',
    );
    openedTerm = true;
    glossaryCard = index + 1;
  }
  assert.ok(openedTerm, 'some card links a glossary word');
  await page.getByRole('button', { name: 'Back', exact: true }).click();
  await expectCardTitle(lesson.cards.at(-2).title);
  await page.getByRole('button', { name: 'Next', exact: true }).click();
  await page.getByRole('button', { name: 'Next', exact: true }).click();
  await expectCardTitle('Wrap-up');
  const wrapUp = await page.getByTestId('lesson-card').innerText();
  assert.ok(wrapUp.includes(lesson.takeaways[0]), 'the takeaways are shown');
  if (lesson.try_it) {
    const href = await page.getByTestId('try-it').getAttribute('href');
    const expected = { ask: /^\/chat\?q=/, token: /^\/market\/0x[0-9a-fA-F]{40}$/, trade: /^\/portfolio\?token=0x/ };
    assert.match(href, expected[lesson.try_it.kind]);
  }
  await checkScreen('lesson-wrap-up', 'light');
});

test('the quiz grades each answer at once; one wrong answer shows why', { skip }, async () => {
  const { page } = session;
  await page.getByTestId('take-quiz').click();
  await heading(`Quiz: ${lesson.title}`);
  for (const [index, question] of lesson.quiz.entries()) {
    const form = page.getByTestId('question');
    await form.getByText(question.prompt).waitFor();
    assert.equal(await page.getByTestId('quiz-position').innerText(), `Question ${index + 1} of ${lesson.quiz.length}`);
    const right = rightAnswers.get(question.id);
    // The first question is answered wrong on purpose: an option the scout's grading showed wrong.
    const chosen = index === 0 ? [question.options.find((o) => !right.includes(o.id)).id] : right;
    if (index === 0) missed = { question, optionId: chosen[0] };
    for (const optionId of chosen) {
      const option = question.options.find((o) => o.id === optionId);
      await form.getByLabel(option.text, { exact: true }).check();
    }
    if (index === 1) {
      // Keyboard: Enter in the form submits the answer.
      await form.getByLabel(question.options.find((o) => o.id === chosen[0]).text, { exact: true }).focus();
      await page.keyboard.press('Enter');
    } else {
      await page.getByTestId('check-answer').click();
    }
    const feedback = page.getByTestId('feedback');
    await feedback.waitFor();
    assert.equal(await feedback.getAttribute('data-correct'), String(index !== 0));
    if (index === 0) {
      const mine = feedback.locator(`[data-option-id="${missed.optionId}"]`);
      assert.equal(await mine.getAttribute('data-correct'), 'false', 'the feedback shows the chosen option wrong');
      assert.match(await mine.innerText(), /your answer · wrong/i);
      assert.match(await feedback.innerText(), /the right answer/i);
      await checkScreen('quiz-feedback', 'light');
    }
    await page.getByTestId('next-question').click();
  }
  const results = page.getByTestId('quiz-results');
  await results.waitFor();
  assert.equal(
    await page.getByTestId('quiz-score').innerText(),
    `${lesson.quiz.length - 1} of ${lesson.quiz.length} right`,
  );
  const xpText = await page.getByTestId('xp-earned').innerText();
  xpEarned = Number(xpText.replace(/[^0-9]/g, ''));
  assert.ok(xpEarned > 0, `XP earned: ${xpText}`);
  assert.match(await page.getByTestId('results-streak').innerText(), /1 day/);
  assert.match(await results.innerText(), /First lesson|New badge/i);
  await checkScreen('results', 'light');
});

test('the Learn page shows the new XP, streak and path progress, also after a reload', { skip }, async () => {
  const { page } = session;
  await page.getByRole('link', { name: 'Back to Learn' }).click();
  await heading('Learn');
  for (const reload of [false, true]) {
    if (reload) await page.reload();
    await page.waitForFunction(() => /^[1-9]/.test(document.querySelector('[data-testid="xp"]')?.textContent ?? ''));
    const stats = await learnStats();
    assert.match(stats.streak, /^1 day/);
    assert.equal(Number(stats.xp.replace(/[^0-9]/g, '')), xpEarned);
    assert.match(await page.getByTestId('learn-path').first().innerText(), /1 of \d+ lessons done/);
    assert.match(await page.getByTestId('reviews-due').innerText(), /1 card is ready/);
  }
  await checkScreen('paths-after', 'light');
});

test('the daily review brings back the missed question', { skip }, async () => {
  const { page } = session;
  await page.getByRole('link', { name: 'Start review' }).click();
  await heading('Daily review');
  const card = page.getByTestId('review-card');
  await card.waitFor();
  assert.equal(await card.getAttribute('data-kind'), 'question');
  assert.match(await card.innerText(), new RegExp(missed.question.prompt.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  await checkScreen('review', 'light');
  for (const optionId of rightAnswers.get(missed.question.id)) {
    await card.getByLabel(missed.question.options.find((o) => o.id === optionId).text, { exact: true }).check();
  }
  await page.getByTestId('check-answer').click();
  const feedback = page.getByTestId('feedback');
  await feedback.waitFor();
  assert.equal(await feedback.getAttribute('data-correct'), 'true');
  await checkScreen('review-feedback', 'light');
  await page.getByTestId('next-card').click();
  await page.getByTestId('review-done').waitFor();
});

test('the badges shelf shows earned and locked badges with their rules', { skip }, async () => {
  const { page } = session;
  await page.goto(`${BASE_URL}/learn/badges`);
  await heading('Badges');
  const badges = page.getByTestId('badge');
  await badges.first().waitFor();
  assert.ok((await badges.count()) >= 5);
  assert.match(await badges.first().innerText(), /Earned/);
  assert.match(await badges.last().innerText(), /Not earned yet/);
  await checkScreen('badges', 'light');
  await page.goto(`${BASE_URL}/learn/leaderboard`);
  await heading('Leaderboard');
  await page.locator('.learn-board__row--you').waitFor();
  await checkScreen('leaderboard', 'light');
});

test('every Learn screen reads well in the dark theme', { skip }, async () => {
  const { page } = session;
  await useTheme('dark');
  await page.goto(`${BASE_URL}/learn`);
  await heading('Learn');
  assert.equal(await page.locator('html').getAttribute('data-theme'), 'dark');
  await checkScreen('paths', 'dark');
  await page.goto(`${BASE_URL}/learn/lessons/${lesson.id}`);
  await heading(lesson.title);
  await checkScreen('lesson-card', 'dark');
  await page.goto(`${BASE_URL}/learn/lessons/${lesson.id}?card=${glossaryCard}`);
  await heading(lesson.title);
  await page.getByTestId('lesson-card').locator('.glossary-term').first().click();
  await page.getByRole('dialog').waitFor();
  await checkScreen('glossary', 'dark');
  await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
  await page.goto(`${BASE_URL}/learn/lessons/${lesson.id}?card=${lesson.cards.length + 1}`);
  await page.getByTestId('take-quiz').waitFor();
  await checkScreen('lesson-wrap-up', 'dark');

  // A second attempt, all right: feedback and results in dark (nothing new lands in review),
  // with a reload after the first answer.
  await page.getByTestId('take-quiz').click();
  for (const [index, question] of lesson.quiz.entries()) {
    const form = page.getByTestId('question');
    await form.getByText(question.prompt).waitFor();
    for (const optionId of rightAnswers.get(question.id)) {
      await form.getByLabel(question.options.find((o) => o.id === optionId).text, { exact: true }).check();
    }
    await page.getByTestId('check-answer').click();
    await page.getByTestId('feedback').waitFor();
    if (index === 0) await checkScreen('quiz-feedback', 'dark');
    await page.getByTestId('next-question').click();
    if (index === 0) {
      // The attempt lives on the server: a reload continues it at the next question.
      await page.reload();
      await page.getByTestId('quiz-position').getByText(`Question 2 of ${lesson.quiz.length}`).waitFor();
    }
  }
  await page.getByTestId('quiz-results').waitFor();
  assert.equal(
    await page.getByTestId('quiz-score').innerText(),
    `${lesson.quiz.length} of ${lesson.quiz.length} right`,
  );
  await checkScreen('results', 'dark');

  for (const [path, name, title] of [
    [`/learn/paths/${lesson.path_id}`, 'path', 'Crypto basics'],
    ['/learn/review', 'review', 'Daily review'],
    ['/learn/badges', 'badges', 'Badges'],
    ['/learn/leaderboard', 'leaderboard', 'Leaderboard'],
  ]) {
    await page.goto(`${BASE_URL}${path}`);
    await heading(title);
    await checkScreen(name, 'dark');
  }
});

test('the Learn pages logged no errors', { skip }, () => {
  assert.deepEqual(session.errors, []);
});
